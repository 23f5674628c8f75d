"""`townperf bench` end to end at a tiny scale: it runs, and its JSON says what it promises.

Not a timed test: the figures themselves are only checked for sanity.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from typer.testing import CliRunner

from townperf import bench
from townperf.cli import app


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    markdown = out / "BENCHMARKS.md"
    markdown.write_text(
        "# Benchmarks\n\nHand-written notes stay.\n\n"
        + bench.markdown_section([{"scale": "county", "events": 8_000_000, "refresh_s": 321.0}])
        + "\n\nMore notes.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "--scales",
            "town",
            "--months",
            "2",
            "--clients",
            "2",
            "--duration",
            "3",
            "--no-postgres",
            "--workdir",
            str(out),
            "--json",
            str(out / "bench.json"),
            "--markdown",
            str(markdown),
        ],
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    lines = (out / "bench.json").read_text(encoding="utf-8").splitlines()
    return result, [json.loads(line) for line in lines], markdown


def test_json_has_every_key_with_sane_values(tiny_run):
    _, results, _ = tiny_run
    assert len(results) == 1
    r = results[0]
    assert set(bench.JSON_KEYS) <= set(r)
    assert r["scale"] == "town"
    assert r["events"] > 1000
    assert r["rows_read"] == r["events"] == r["floor_rows"]
    for key in ("ingest_s", "floor_s", "build_s", "refresh_s", "incremental_refresh_s"):
        assert r[key] > 0, key
    assert r["ingest_s"] < r["refresh_s"]
    assert math.isclose(r["ingest_over_floor"], r["ingest_s"] / r["floor_s"])
    assert r["incremental_rows"] > 0
    assert r["warehouse_mb"] > 0
    assert r["peak_rss_mb"] >= max(r["peak_rss_mb_by_step"].values()) > 50
    assert r["errors"] == 0
    assert r["requests"] > 0
    assert 0 < r["latency_p50_ms"] <= r["latency_p95_ms"] <= r["latency_p99_ms"]
    assert "overview" in r["latency_by_page"]
    # served as the README deploys it (gunicorn.conf.py): sync workers, one per core, as the
    # server's own start-up log and process tree say
    assert r["server"] == f"gunicorn, {os.cpu_count()} sync workers"
    assert r["postgres_build_s"] is None and r["duckdb_speedup_over_postgres"] is None


def test_terminal_table_and_targets(tiny_run):
    result, _, _ = tiny_run
    assert "full refresh (s)" in result.output
    assert "ingest within 1.5×" in result.output


def test_markdown_keeps_prose_and_other_scales(tiny_run):
    _, _, markdown = tiny_run
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHand-written notes stay.")
    assert text.rstrip().endswith("More notes.")
    assert text.count(bench.BEGIN) == 1
    kept = bench.merged(markdown, [])
    assert [r["scale"] for r in kept] == ["town", "county"]
    assert kept[1]["refresh_s"] == 321.0
    assert "Reproduce: `townperf bench --scales town" in text


def test_unknown_scale_is_refused():
    result = CliRunner().invoke(app, ["bench", "--scales", "city", "--no-markdown"])
    assert result.exit_code == 2
    assert "unknown scale" in result.output


def test_duckdb_sql_is_ported_to_postgres():
    """The rewrites the PostgreSQL peer depends on (no server needed)."""
    sqlglot = pytest.importorskip("sqlglot")
    from townperf.bench_postgres import _rewrite

    sql = (
        "select staff_id, arg_max(name, as_of) as name, any_value(unit) as unit,"
        " count_if(ok) as n, make_date(2025, 1, 1) as d,"
        " max(created_at + to_hours(24)) as due from t group by all"
    )
    tree = _rewrite(sqlglot.parse_one(sql, read="duckdb"))
    out = tree.sql(dialect="postgres").lower()
    assert "group by 1" in out
    assert "array_agg(name order by as_of desc" in out and ")[1]" in out
    assert "any_value(unit)" in out and "ignore nulls" not in out
    assert "make_date(2025, 1, 1)" in out
    assert "interval '1' hour" in out or "interval '1 hour'" in out
    assert "count_if" not in out

    fingerprint = "select sum(hash(a, round(x, 9))::hugeint) as f, hash(t) as h from t"
    out = _rewrite(sqlglot.parse_one(fingerprint, read="duckdb")).sql(dialect="postgres").lower()
    assert "hashtextextended(cast(row(a, round(cast(x as decimal), 9)) as text), 0)" in out
    assert "hashtextextended(cast(t as text), 0)" in out
    assert "int128" not in out and "hugeint" not in out


def test_latest_version_is_ported_as_distinct_on_and_keeps_the_same_rows():
    """`qualify row_number() … = 1` goes to PostgreSQL as `distinct on`, which it can estimate;
    run in DuckDB (which reads both forms), the ported query picks the same row per key, nulls
    in the order sorting last as DuckDB sorts them."""
    sqlglot = pytest.importorskip("sqlglot")
    import duckdb

    from townperf.bench_postgres import _rewrite

    sql = (
        "select *, sum(v) over (partition by k) as total from t where v > 0 "
        "qualify row_number() over (partition by k, j order by seq desc, r desc) = 1"
    )
    tree = _rewrite(sqlglot.parse_one(sql, read="duckdb"))
    pg = tree.sql(dialect="postgres").lower()
    assert "distinct on (k, j)" in pg and "row_number" not in pg
    assert "order by k, j, seq desc nulls last, r desc nulls last" in pg

    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values "
        "('a', 1, 5, 1, 2), ('a', 1, null, 2, 3), ('a', 1, 5, 3, 1), ('a', 2, 1, 1, 4),"
        "('b', 1, 2, 1, 0), ('b', 1, 2, 2, 6), (null, 1, 1, 1, 7), (null, 1, 4, 1, 8)"
        ") v(k, j, seq, r, v)"
    )
    ported = con.sql(tree.sql(dialect="duckdb")).fetchall()
    original = con.sql(sql).fetchall()
    assert sorted(ported, key=str) == sorted(original, key=str)
    assert len(original) == 4  # one per (k, j), the zero-valued row filtered first

    # any other qualify is left to sqlglot's own translation
    other = "select * from t qualify rank() over (partition by k order by seq) = 1"
    translated = _rewrite(sqlglot.parse_one(other, read="duckdb")).sql(dialect="postgres")
    assert "distinct on" not in translated.lower()


def test_stage_peaks_count_child_processes():
    """The ingest reads on child processes: a stage's peak must include their memory."""
    import subprocess
    import sys
    import time

    from townperf.bench_steps import StagePeaks

    with StagePeaks() as peaks:
        peaks.enter("alone")
        time.sleep(0.2)
        peaks.enter("with child")
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; b = b'x' * (300 << 20); time.sleep(1.5)"]
        )
        child.wait()
        peaks.enter("after")
    assert peaks.peaks["with child"] > peaks.peaks["alone"] + 250


def test_a_searched_directory_is_measured_through_its_search(tmp_path):
    """Past 500 people the drill-down's person list is searched on the server, so the page
    offers nobody until one types: the bench types as a reader would and measures the views
    of the people found (a county's drill-down, not only its empty prompt)."""
    import secrets
    import shutil

    from townperf import pipeline, users
    from townperf.bench_load import BENCH_USER, dashboard_server, discover, login
    from townperf.generate import generate
    from townperf.settings import get_settings
    from warehouse.store import connect_read

    exports = tmp_path / "exports"
    generate(exports, scale="county", towns=4, months=2)
    settings = get_settings(tmp_path / "home")
    settings.ensure_dirs()
    for path in exports.iterdir():
        if path.suffix in (".csv", ".xlsx"):
            shutil.copy(path, settings.inbox / path.name)
    assert pipeline.refresh(settings).status == "success"
    password = secrets.token_urlsafe(16)
    users.add_user(settings.root, BENCH_USER, password, "leader")
    with dashboard_server(settings.root, 1) as server:
        scenarios, missing = discover(server.port, login(server.port, BENCH_USER, password))
    assert not missing
    content = next(s for s in scenarios if s.name == "people: people-content.children")
    people = next(i for i in content.inputs if i["property"] == "value")["choices"]
    assert len(people) > 20 and all(isinstance(p, str) and p for p in people)
    # the view is asked for with a period, as after a person is picked: a scored one
    periods = next(i for i in content.inputs if i["id"] == "people-period")["choices"]
    con = connect_read(settings.warehouse_path)
    try:
        starts = con.execute(
            "select distinct period_start from marts.fct_person_scores "
            "where period_type = 'quarter'"
        ).fetchall()
    finally:
        con.close()
    scored = {f"quarter|{start}" for (start,) in starts}
    assert periods and set(periods) <= scored
    search = next(s for s in scenarios if s.name == "people: people-person.options")
    typed = next(i for i in search.inputs if i["property"] == "search_value")["choices"]
    assert len(typed) > 1 and all(typed)
