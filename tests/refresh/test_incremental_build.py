"""Incremental builds: a refresh adds what new loads bring and ends with the warehouse a full
rebuild from the raw tables gives; a change of the rules makes the next build a full one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from ingest.readers import read_file
from tests.refresh.refresh_support import BATCH_B
from townperf import pipeline
from townperf.dbt import build_fingerprint
from townperf.settings import DBT_PROJECT_DIR, get_settings

SCHEMAS = ("staging", "intermediate", "marts")


def _reexport(small_exports: Path, target: Path) -> dict[str, str]:
    """A later export of the baseline's approvals: one completed case reopened (it no longer
    counts), one handed to another officer, and three new cases. Returns the changed case
    numbers."""
    table = read_file(small_exports / "approvals_2024Q4.csv")
    data = table.data.copy()
    data.columns = table.headers
    done = data[data["办件状态"] == "办结"]
    reopened, handed, spare = done.index[0], done.index[1], done.index[2]
    others = data.loc[data["承办人工号"] != data.at[handed, "承办人工号"], "承办人工号"]
    data.loc[reopened, ["办件状态", "办结时间"]] = ["在办", ""]
    data.loc[handed, "承办人工号"] = others.iloc[0]
    new = data.loc[[spare] * 3].copy()
    new["办件编号"] = [f"{data.at[spare, '办件编号']}-N{i}" for i in range(3)]
    out = pd.concat([data.loc[[reopened, handed]], new])
    out.to_csv(target / "approvals_2024Q4_reexport.csv", index=False, encoding="utf-8")
    return {
        "reopened": data.at[reopened, "办件编号"],
        "handed": data.at[handed, "办件编号"],
        "new_handler": others.iloc[0],
    }


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where list_contains(?, schema_name) order by 1",
            [list(SCHEMAS)],
        ).fetchall()
        frames = {}
        for (name,) in names:
            frame = con.execute(f"select * from {name}").df()
            keys = [c for c in frame.columns if frame[c].dtype != "float64"]
            frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
            frames[name] = frame[sorted(frame.columns)]
        return frames
    finally:
        con.close()


def test_an_incremental_refresh_equals_a_full_rebuild(make_home, small_exports, tmp_path):
    home = make_home(BATCH_B)
    changed = _reexport(small_exports, home / "inbox")

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success", report.error
    mine = next(f for f in report.files if f["file"] == "approvals_2024Q4_reexport.csv")
    assert (mine["rows_loaded"], mine["rows_quarantined"]) == (5, 0)
    assert not report.dbt_full_refresh  # the baseline was built by the same rules
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    records = con.execute(
        "select record_no, staff_id from marts.fct_indicator_records where record_type = "
        "'approvals' and list_contains(?, record_no)",
        [[changed["reopened"], changed["handed"]]],
    ).fetchall()
    new_cases = con.execute(
        "select count(*) from intermediate.int_approvals_measured where case_no like '%-N_'"
    ).fetchall()[0][0]
    con.close()
    assert records == [(changed["handed"], changed["new_handler"])]  # reopened one is gone
    assert new_cases == 3

    full = tmp_path / "full"
    full.mkdir()
    shutil.copy(home / "warehouse.duckdb", full / "warehouse.duckdb")
    rebuilt = pipeline.refresh(get_settings(full), rebuild=True)
    assert rebuilt.status == "success", rebuilt.error
    assert rebuilt.dbt_full_refresh

    incremental, complete = _tables(home / "warehouse.duckdb"), _tables(full / "warehouse.duckdb")
    assert incremental.keys() == complete.keys()
    assert "marts.fct_person_scores" in incremental
    for name, frame in complete.items():
        pd.testing.assert_frame_equal(incremental[name], frame, check_exact=False, rtol=1e-9)


def test_changed_rules_make_the_next_build_a_full_one(make_home):
    """The served warehouse says it was built by other rules (as after a seed edit): even with
    nothing new to load, the next refresh rebuilds every model and records the new rules."""
    home = make_home([])
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("update raw.dbt_builds set fingerprint = 'rules of last year'")
    con.close()
    logged = (home / "logs" / "dbt.log").stat().st_size

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success", report.error
    assert report.dbt_status == "success" and report.dbt_full_refresh
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    newest = con.execute(
        "select fingerprint from raw.dbt_builds order by built_at desc limit 1"
    ).fetchall()
    con.close()
    assert newest == [(build_fingerprint(),)]
    # dbt read the whole project: a partial parse kept from other rules can miss a new model
    log = (home / "logs" / "dbt.log").read_bytes()[logged:].decode("utf-8", errors="replace")
    assert "Partial parsing not enabled" in log and "Partial parsing enabled" not in log
    again = pipeline.refresh(get_settings(home))
    assert again.dbt_status == "skipped (nothing new)"


def test_a_seed_edit_changes_the_fingerprint(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = build_fingerprint(project)
    assert build_fingerprint(project) == before
    seed = project / "seeds" / "settings.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build_fingerprint(project) != before


def _snapshot(path: Path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select staff_id, role_category, roster_at::date as roster_on, "
            "dbt_valid_from::date as valid_from, dbt_valid_to::date as valid_to "
            "from snapshots.snap_staff_roster order by staff_id, dbt_valid_from"
        ).df()
    finally:
        con.close()


def test_the_roster_snapshot_keeps_what_each_build_received(make_home):
    """The dbt snapshot of the roster: the baseline build saw the 2024Q4 roster; a refresh that
    brings the 2025Q1 roster closes each listed person's row and opens one dated by that roster,
    while people on no newer roster keep their one row open."""
    home = make_home(BATCH_B)
    before = _snapshot(home / "warehouse.duckdb")
    assert before.staff_id.is_unique and before.valid_to.isna().all()
    assert set(before.valid_from.astype(str)) == {"2024-12-31"}

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success", report.error
    after = _snapshot(home / "warehouse.duckdb")
    current = after[after.valid_to.isna()]
    assert current.staff_id.is_unique and set(current.staff_id) >= set(before.staff_id)
    relisted = current[current.valid_from.astype(str) == "2025-03-31"]
    assert len(relisted) > len(before) // 2
    closed = after[after.valid_to.notna()]
    assert set(closed.staff_id) == set(relisted.staff_id) & set(before.staff_id)
    assert set(closed.valid_to.astype(str)) == {"2025-03-31"}


def test_one_seed_edit_changes_the_scores_and_what_the_methodology_page_reads(
    baseline_home, tmp_path
):
    """The indicator weights are a seed: doubling one weight in a copy of the dbt project and
    building with it changes the composites of that category, and the seed table the
    methodology page renders (warehouse.report_queries.seed_tables) holds the new weight."""
    from townperf.dbt import run_dbt
    from warehouse.report_queries import seed_tables

    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    weights_csv = project / "seeds" / "indicator_weights.csv"
    weights = pd.read_csv(weights_csv)
    edited = (weights.role_category == "审批") & (weights.indicator_code == "appr_workload")
    old_weight = int(weights.loc[edited, "weight"].iloc[0])
    weights.loc[edited, "weight"] = old_weight * 3
    weights.to_csv(weights_csv, index=False)

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(baseline_home / "warehouse.duckdb", home / "warehouse.duckdb")
    db = home / "warehouse.duckdb"

    def composites(path: Path) -> pd.Series:
        con = duckdb.connect(str(path), read_only=True)
        try:
            frame = con.execute(
                "select staff_id || period_start as key, composite_score "
                "from marts.fct_person_scores where role_category = '审批' "
                "and period_type = 'quarter' and composite_score is not null"
            ).df()
        finally:
            con.close()
        return frame.set_index("key")["composite_score"]

    before = composites(db)
    # (the dbt unit tests read the shipped weights and rightly fail on edited ones)
    outcome = run_dbt(
        get_settings(home),
        db,
        "build",
        ["--exclude-resource-type", "unit_test"],
        project=project,
    )
    assert outcome.success, outcome.error or outcome.failures
    assert outcome.full_refresh  # other rules than the ones the copy was built by
    after = composites(db)

    shown = seed_tables(db)["indicator_weights"]
    row = shown[(shown.role_category == "审批") & (shown.indicator_code == "appr_workload")]
    assert int(row.weight.iloc[0]) == old_weight * 3
    common = before.index.intersection(after.index)
    assert len(common) >= 5
    assert (before[common] - after[common]).abs().max() > 0.5


def test_key_tests_of_an_incremental_build_read_the_new_loads_only(make_home, tmp_path):
    """The unique tests of the largest incremental models check the rows the build added (the
    rest passed in the build that added them); a key repeated among new rows still fails."""
    from townperf.dbt import run_dbt

    home = make_home(BATCH_B)
    watermark = 'select tested_through from build_state."staging__stg_tickets__tickets"'
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    assert con.execute(watermark).fetchall() == [(-1,)]  # built whole: every row was tested
    (held,) = con.execute("select max(load_seq) from staging.stg_tickets__tickets").fetchone()
    con.close()

    report = pipeline.refresh(get_settings(home))
    assert report.status == "success" and not report.dbt_full_refresh, report.error
    ran = {
        r["unique_id"]
        for r in json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]
    }
    assert "model.townperf.int_calendar_days" not in ran  # rules only: kept from the last build
    assert "model.townperf.stg_tickets__tickets" in ran

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    assert con.execute(watermark).fetchall() == [(held,)]
    (added,) = con.execute(
        "select count(*) from staging.stg_tickets__tickets where load_seq > ?", [held]
    ).fetchone()
    con.close()
    assert added > 1000

    copy = tmp_path / "dup.duckdb"
    shutil.copy(home / "warehouse.duckdb", copy)
    test = ["--select", "stg_tickets__tickets,test_name:unique"]
    settings = get_settings(home)
    assert run_dbt(settings, copy, "test", test).success
    con = duckdb.connect(str(copy))
    con.execute(
        "insert into staging.stg_tickets__tickets select * from staging.stg_tickets__tickets "
        "where load_seq > ? limit 1",
        [held],
    )
    con.close()
    assert not run_dbt(settings, copy, "test", test).success


def _rebuilt_periods(path: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select period_type, period_start::varchar from build_state.int_period_inputs "
            "where needs_rebuild"
        ).fetchall()
    finally:
        con.close()
    found: dict[str, set[str]] = {}
    for period_type, start in rows:
        found.setdefault(period_type, set()).add(start)
    return found


def test_a_new_day_recomputes_only_the_periods_it_falls_in(make_home, small_exports, tmp_path):
    """The scoring models are incremental by period: after one more day of exports, the build
    recomputes the month, quarter and year of that day (and any later ones), keeps every
    earlier period's rows, and ends where a full rebuild ends."""
    from townperf.bench_steps import day_files_step

    home = make_home(BATCH_B)
    assert pipeline.refresh(get_settings(home)).status == "success"
    day = day_files_step(str(small_exports), str(home / "inbox"))
    assert day["rows"] > 0
    newest = max(pd.Timestamp(name.rsplit("_", 1)[1][:8]) for name in day["files"])

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success" and not report.dbt_full_refresh, report.error
    rebuilt = _rebuilt_periods(home / "warehouse.duckdb")
    month = newest.replace(day=1)
    assert min(rebuilt["month"]) == f"{month:%Y-%m-%d}"
    assert min(rebuilt["quarter"]) == f"{month.to_period('Q').start_time:%Y-%m-%d}"
    assert rebuilt["year"] == {f"{newest.year}-01-01"}
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    kept = con.execute(
        "select count(distinct period_start) from marts.fct_person_scores "
        "where period_type = 'month' and period_start < ?",
        [month.date()],
    ).fetchone()[0]
    con.close()
    assert kept >= 2  # earlier months are still there, kept from the last build

    full = tmp_path / "full"
    full.mkdir()
    shutil.copy(home / "warehouse.duckdb", full / "warehouse.duckdb")
    assert pipeline.refresh(get_settings(full), rebuild=True).dbt_full_refresh
    incremental, complete = _tables(home / "warehouse.duckdb"), _tables(full / "warehouse.duckdb")
    assert incremental.keys() == complete.keys()
    for name, frame in complete.items():
        pd.testing.assert_frame_equal(incremental[name], frame, check_exact=False, rtol=1e-9)
