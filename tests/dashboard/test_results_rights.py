"""The clocks of a civil servant's rights and the grade rules on /results, on a town where they
fire: a copy of the built warehouse gets decisions and requests that break them, the marts are
rebuilt by dbt, and the page's figures equal an independent count from the decisions and
requests themselves. Every view of the page is audited, answered from the cache or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import dash
import duckdb
import pytest

from dashboard.app import create_app
from dashboard.response_cache import HEADER
from tests.dashboard.conftest import _walk, page_module
from tests.helpers import render_page, signed_in
from townperf import users
from townperf.dbt import run_dbt
from townperf.settings import get_settings
from warehouse.store import connect_read

WINDOW_DAYS_AGO = 10  # notified this many days ago: the review window is still open
LATE_BY = 10  # a review asked for this many days after the window closed
PASSWORD = "rights-test-pw"


def _one(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()


@pytest.fixture(scope="module")
def rights_home(built_home, tmp_path_factory) -> dict:
    """A copy of the built home where, for the newest year: three 称职 people were notified
    WINDOW_DAYS_AGO days ago (one of them has asked for a review already), one person asked
    for a review LATE_BY days after the window closed, a 基本称职 person was paid a bonus, and
    a 优秀 person's 嘉奖 was never decided."""
    home = tmp_path_factory.mktemp("rights")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    settings = get_settings(home)
    settings.ensure_dirs()
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        (year,) = _one(
            con, "select max(period) from raw.actions where regexp_matches(period, '^\\d{4}$')"
        )
        asked = {
            row[0]
            for row in con.execute(
                "select staff_id from raw.feedback where kind = '复核申请'"
            ).fetchall()
        }
        competent = [
            row[0]
            for row in con.execute(
                "select distinct staff_id from raw.actions where period = ? "
                "and final_grade = '称职' and notified_on is not null order by staff_id",
                [year],
            ).fetchall()
            if row[0] not in asked
        ]
        windows, late = competent[:3], competent[3]
        for sid in windows:
            con.execute(
                "update raw.actions set notified_on = current_date - ?::integer "
                "where period = ? and staff_id = ?",
                [WINDOW_DAYS_AGO, year, sid],
            )
        (notified,) = _one(
            con,
            "select min(notified_on) from raw.actions where period = ? and staff_id = ?",
            [year, late],
        )
        (days,) = _one(
            con,
            "select value::integer from seeds.settings where setting = ?",
            ["review_request_days"],
        )
        requests = [
            (windows[0], "current_date - 2"),
            (late, f"date '{notified}' + {days + LATE_BY}"),
        ]
        for n, (sid, held) in enumerate(requests):
            con.execute(
                f"""
                insert into raw.feedback
                select ?, ?, '复核申请', {held}, null, null, _load_id, _load_seq, _file, ?
                from raw.feedback order by _load_seq desc limit 1
                """,
                [year, sid, 900_000 + n],
            )
        (basic,) = _one(
            con,
            "select min(staff_id) from raw.actions where period = ? and final_grade = '基本称职'",
            [year],
        )
        con.execute(
            """
            insert into raw.actions
            select period, staff_id, final_grade, notified_on, '绩效奖金', decided_on,
                   applied_on, 8000, _load_id, _load_seq, _file, 900000
            from raw.actions where period = ? and staff_id = ? limit 1
            """,
            [year, basic],
        )
        (excellent,) = _one(
            con,
            "select min(staff_id) from raw.actions where period = ? and action = '嘉奖'",
            [year],
        )
        con.execute(
            "delete from raw.actions where period = ? and staff_id = ? and action = '嘉奖'",
            [year, excellent],
        )
    finally:
        con.close()
    outcome = run_dbt(
        settings,
        home / "warehouse.duckdb",
        "run",
        ["--select", "fct_feedback", "fct_result_utilization", "fct_consequence_checks"],
    )
    assert outcome.success, outcome.failures or outcome.error
    return {
        "home": home,
        "year": int(year),
        "windows": windows,
        "asked": windows[0],
        "late": late,
        "basic": basic,
        "excellent": excellent,
    }


@pytest.fixture(scope="module")
def rights_app(rights_home) -> dash.Dash:
    app = create_app(get_settings(rights_home["home"]))
    app.server.test_client().get("/")
    return app


def _find(layout, component_id):
    for node in _walk(layout):
        if getattr(node, "id", None) == component_id:
            return node
    raise KeyError(component_id)


def _independent(home: Path, year: int) -> dict[str, int]:
    """The same figures counted from the decisions and requests (staging), not from the marts."""
    con = connect_read(home / "warehouse.duckdb")
    try:
        (days,) = _one(
            con,
            "select value::integer from seeds.settings where setting = 'review_request_days'",
        )
        start = f"{year}-01-01"
        (late,) = _one(
            con,
            """
            with notices as (
                select staff_id, period_start, min(notified_on) as notified_on
                from staging.stg_actions__decisions
                where period_type = 'year' group by all
            )
            select count(*)
            from staging.stg_feedback__talks as f
            join notices using (staff_id, period_start)
            where f.kind = '复核申请' and f.period_type = 'year'
              and f.held_on > notices.notified_on + ?::integer
            """,
            [days],
        )
        (windows,) = _one(
            con,
            "select count(distinct staff_id) from staging.stg_actions__decisions "
            "where period_type = 'year' and final_grade is not null "
            "and current_date <= notified_on + ?::integer",
            [days],
        )
        (barred,) = _one(
            con,
            "select count(distinct staff_id) from staging.stg_actions__decisions "
            "where period_type = 'year' and period_start = ?::date "
            "and final_grade in ('基本称职', '不称职') and action = '绩效奖金'",
            [start],
        )
        (no_award,) = _one(
            con,
            """
            select count(distinct staff_id) from staging.stg_actions__decisions as d
            where period_type = 'year' and period_start = ?::date and final_grade = '优秀'
              and not exists (
                  select 1 from staging.stg_actions__decisions as a
                  where a.staff_id = d.staff_id and a.period_start = d.period_start
                    and a.period_type = 'year' and a.action = '嘉奖'
              )
            """,
            [start],
        )
    finally:
        con.close()
    return {
        "late": late,
        "windows": windows,
        "barred": barred,
        "no_award": no_award,
        "days": days,
    }


def test_request_clock_windows_and_barred_bonus_equal_an_independent_count(rights_home, rights_app):
    expected = _independent(rights_home["home"], rights_home["year"])
    assert (expected["late"], expected["windows"], expected["barred"]) == (1, 3, 1)
    module = page_module("/results")
    with rights_app.server.test_request_context("/"), signed_in("hr"):
        layout = module.layout()
    assert _find(layout, "results-period").value == f"year|{rights_home['year']}-01-01"
    assert _find(layout, "results-kpi-review-window-value").children == "3"
    assert _find(layout, "results-kpi-barred-value").children == "1"
    assert _find(layout, "results-late-requests").children == "逾期提出的复核申请：1 件"

    windows = _find(layout, "results-windows-grid").rowData
    assert len(windows) == expected["windows"]
    days_left = expected["days"] - WINDOW_DAYS_AGO
    assert {row["days_left"] for row in windows} == {days_left}
    names = _names(rights_home["home"])
    asked = {row["name"]: row["requested"] for row in windows}
    assert asked == {
        names[sid]: "是" if sid == rights_home["asked"] else "否" for sid in rights_home["windows"]
    }

    reviews = _find(layout, "results-reviews-grid").rowData
    flagged = [row for row in reviews if row["request_late"]]
    assert [row["name"] for row in flagged] == [names[rights_home["late"]]]
    assert flagged[0]["request_status"] == f"逾期 {LATE_BY} 天提出"

    gaps = _find(layout, "results-gaps-grid").rowData
    barred = [row for row in gaps if row["problem"] == "不应运用而运用"]
    assert [(row["name"], row["action_name"]) for row in barred] == [
        (names[rights_home["basic"]], "绩效奖金")
    ]
    no_award = [
        row["name"]
        for row in gaps
        if row["problem"] == "应运用未运用" and row["action_name"] == "嘉奖"
    ]
    assert len(no_award) == expected["no_award"] and names[rights_home["excellent"]] in no_award
    missing = [row for row in gaps if row["problem"] == "应运用未运用"]
    assert _find(layout, "results-kpi-missing-value").children == str(len(missing))


def _names(home: Path) -> dict[str, str]:
    con = connect_read(home / "warehouse.duckdb")
    try:
        return dict(con.execute("select staff_id, name from marts.dim_staff").fetchall())
    finally:
        con.close()


def test_every_view_of_the_page_is_audited_even_from_the_cache(rights_home, rights_app):
    home = rights_home["home"]
    users.add_user(home, "rights-leader", PASSWORD, "leader")
    client = rights_app.server.test_client()
    login = {"username": "rights-leader", "password": PASSWORD}
    assert client.post("/login", data=login).status_code == 302
    replies = [render_page(rights_app, client, "/results") for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    assert [r.headers[HEADER] for r in replies] == ["miss", "hit"]
    views = [
        e
        for e in users.audit_entries(home)
        if e["username"] == "rights-leader" and e["action"] == "view_results"
    ]
    assert [e["detail"] for e in views] == [f"year|{rights_home['year']}-01-01"] * 2
