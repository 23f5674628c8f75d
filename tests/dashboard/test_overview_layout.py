"""The overview builds in both languages from the built warehouse, without a browser."""

from __future__ import annotations

import base64
import io
import re

import dash
import openpyxl
import pytest

from dashboard.app import create_app
from tests.dashboard.conftest import tabbed_table
from tests.helpers import signed_in
from townperf.settings import get_settings

KPI_LABELS = {
    "zh": [
        "审批办结件数",
        "审批按时办结率",
        "审批平均用时",
        "工单办结件数",
        "工单满意率",
        "执法结案数",
    ],
    "en": [
        "Approvals completed",
        "Approvals on time",
        "Average approval time",
        "Tickets closed",
        "Ticket satisfaction",
        "Enforcement cases closed",
    ],
}
METRICS = [
    "approvals_completed",
    "approvals_on_time_rate",
    "approvals_avg_working_days",
    "tickets_closed",
    "tickets_satisfaction_rate",
    "cases_closed",
]
LABEL_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_builds_in_both_languages(overview_page, in_request, texts, lang):
    with in_request(lang):
        layout = overview_page.layout()
    shown = texts(layout)
    assert ("领导驾驶舱" if lang == "zh" else "Leadership overview") in shown
    labels = [layout[f"overview-kpi-{metric}-label"].children for metric in METRICS]
    assert labels == KPI_LABELS[lang]
    assert not [text for text in shown if LABEL_KEY.match(text)], "a label is missing"
    for graph_id in ("overview-office-graph", "overview-service-graph"):
        assert layout[graph_id].figure["layout"]["title"]["text"]
    for grid_id in ("overview-office-grid", "overview-service-grid", "overview-indicators-grid"):
        headers = [col["headerName"] for col in tabbed_table(layout, grid_id).columnDefs]
        assert all(headers) and not [h for h in headers if LABEL_KEY.match(h)]


def test_overview_defaults_to_the_latest_month_with_data(overview_page, in_request, read_con):
    (latest,) = read_con.execute(
        "select max(period_start) from marts.public_service_summary where scope_type = 'town'"
    ).fetchone()
    with in_request("zh"):
        layout = overview_page.layout()
    assert layout["overview-month"].value == latest.isoformat()
    assert layout["overview-kpi-period"].children == f"{latest.year}年{latest.month}月"


def test_office_comparison_covers_every_department_scored(overview_page, in_request, read_con):
    (latest,) = read_con.execute(
        "select max(period_start) from marts.fct_person_scores where period_type = 'quarter'"
    ).fetchone()
    expected = {
        dept
        for (dept,) in read_con.execute(
            "select distinct department from marts.fct_person_scores "
            "where period_type = 'quarter' and period_start = ? and not insufficient_data",
            [latest],
        ).fetchall()
    }
    with in_request("zh"):
        offices, _, label, _ = overview_page.update_comparison(latest.isoformat(), "quarter")
    assert "季度" in label
    figure = offices["overview-office-graph"].figure
    assert set(figure["data"][0]["y"]) == expected
    rows = tabbed_table(offices, "overview-office-grid").rowData
    assert {row["department"] for row in rows} >= expected


@pytest.mark.parametrize("period_type", ["month", "quarter", "year"])
def test_every_period_type_renders(overview_page, in_request, period_type, read_con):
    (latest,) = read_con.execute(
        "select max(period_start) from marts.public_service_summary where scope_type = 'town'"
    ).fetchone()
    with in_request("en"):
        offices, indicators, label, _ = overview_page.update_comparison(
            latest.isoformat(), period_type
        )
    assert label
    assert tabbed_table(indicators, "overview-indicators-grid").rowData, "medians for the period"
    assert offices["overview-office-graph"].figure["data"], "office scores for the period"


def test_missing_warehouse_shows_a_notice_not_an_error(tmp_path, texts):
    app = create_app(get_settings(tmp_path))
    page = next(page for page in dash.page_registry.values() if page["path"] == "/")
    with app.server.test_request_context("/"), signed_in("leader"):
        shown = texts(page["layout"]())
    assert "尚无数据" in shown


def _by_id(component, wanted: str):
    from dash.development.base_component import Component

    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, Component):
            if getattr(node, "id", None) == wanted:
                return node
            children = getattr(node, "children", None)
            stack.extend(children if isinstance(children, list | tuple) else [children])
    raise AssertionError(f"no component {wanted}")


def test_overview_shows_grades_against_quota_and_result_use(overview_page, in_request, read_con):
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_person_scores "
        "where period_type = 'year' and is_complete_period"
    ).fetchall()[0]
    (recommended,) = read_con.execute(
        "select count(*) from marts.fct_person_scores where period_type = 'year' "
        "and period_start = ? and grade_recommendation = '优秀'",
        [year],
    ).fetchall()[0]
    (not_notified,) = read_con.execute(
        "select count(distinct staff_id) from marts.fct_result_utilization "
        "where period_type = 'year' and period_start = ? "
        "and final_grade is not null and notified_on is null",
        [year],
    ).fetchall()[0]
    with in_request("zh"):
        page = overview_page.layout()
    grid = _by_id(page, "overview-grades-grid")
    [row] = grid.rowData
    assert row["recommended_excellent"] == recommended
    assert row["recommended_excellent"] <= row["excellent_quota"]
    shown = _by_id(page, "overview-results-not_notified").children
    assert int(shown.replace(",", "")) == not_notified


def test_overview_export_holds_the_page_tables(overview_page, in_request, read_con):
    """The export writes what the page shows for the chosen month and period type: every
    office scored, the indicator medians, and the grades and result use of the latest year."""
    (latest,) = read_con.execute(
        "select max(period_start) from marts.public_service_summary where scope_type = 'town'"
    ).fetchone()
    year_start = latest.replace(month=1, day=1)
    offices = dict(
        read_con.execute(
            "select department, count(*) from marts.fct_person_scores "
            "where period_type = 'year' and period_start = ? group by department",
            [year_start],
        ).fetchall()
    )
    medians = read_con.execute(
        "select count(distinct (role_category, indicator_code)) from marts.fct_indicator_values "
        "where period_type = 'year' and period_start = ?",
        [year_start],
    ).fetchone()[0]
    with in_request("en"):
        page = overview_page.layout()
        assert _by_id(page, "overview-export").children[-1] == "Export the tables (Excel)"
        sent = overview_page.export_overview(1, latest.isoformat(), "year")
        assert overview_page.export_overview(0, latest.isoformat(), "year") is dash.no_update
    assert sent["filename"] == f"overview_year_{year_start.isoformat()}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    scores = workbook["Office scores"]
    header = [c.value for c in scores[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in scores.iter_rows(2, values_only=True)}
    assert {office: row["Assessed"] for office, row in rows.items()} == offices
    assert workbook["Indicator medians"].max_row - 1 <= medians
    assert workbook["Indicator medians"].max_row > 1
    status = dict(workbook["Result use"].iter_rows(2, values_only=True))
    grid = _by_id(page, "overview-results-not_notified").children
    assert status["Not notified in writing"] == int(grid.replace(",", ""))
    assert workbook["Grades and quota"].max_row == 1 + len(
        _by_id(page, "overview-grades-grid").rowData
    )
