"""Result utilization in a real browser, signed in as a leader: the overdue figure equals an
independent count, the period filter changes it, the consequences and the days-to-apply charts
have their tables (mounted when their tab is opened), the Excel export opens, no console
errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from selenium.webdriver.common.by import By

from tests.dashboard.test_overview_browser import full_page_screenshot, show_table
from tests.dashboard.test_pages_reports import _independent_overdue
from tests.dashboard.test_public_browser import allow_downloads, downloaded
from tests.helpers import sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def test_results_in_the_browser(dash_duo, dashboard_app, built_home, read_con, tmp_path):
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'year'"
    ).fetchone()
    (quarter,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'quarter'"
    ).fetchone()
    in_year = _independent_overdue(read_con, "year", year)
    in_quarter = _independent_overdue(read_con, "quarter", quarter)
    assert in_year != in_quarter
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    allow_downloads(dash_duo, tmp_path)
    sign_in(dash_duo, built_home, "leader")
    dash_duo.wait_for_element(".navbar-brand", timeout=15)
    dash_duo.driver.get(dash_duo.server_url + "/results")

    dash_duo.wait_for_text_to_equal("h1.page-title", "结果运用", timeout=15)
    dash_duo.wait_for_element("#results-pay-graph .main-svg", timeout=15)
    dash_duo.wait_for_text_to_equal("#results-kpi-overdue-value", f"{in_year:,}", timeout=10)
    assert dash_duo.find_element("#results-period-label").text == f"{year.year}年"
    full_page_screenshot(dash_duo, ARTIFACTS / "results.png")

    # the charts' table alternatives: not mounted with the page; once their tab is opened,
    # one row per bar
    tabbed = ("results-crosstab-grid", "results-consequences-grid", "results-lag-grid")
    dash_duo.wait_for_element("#results-overdue-grid .ag-root-wrapper", timeout=10)  # shown
    assert not [g for g in (*tabbed, "results-pay-grid") if dash_duo.find_elements(f"#{g}")]
    for graph, grid in (
        ("results-consequences-graph", "results-consequences-grid"),
        ("results-lag-graph", "results-lag-grid"),
    ):
        bars = dash_duo.driver.execute_script(
            f"return document.getElementById('{graph}')"
            ".querySelector('.js-plotly-plot').data[0].y.length"
        )
        card = dash_duo.driver.find_element(By.ID, graph).find_element(
            By.XPATH, "ancestor::div[contains(@class, 'chart-card')]"
        )
        tab = card.find_element(By.XPATH, ".//a[contains(@class, 'nav-link')][text()='数据表']")
        show_table(dash_duo, tab)
        dash_duo.wait_for_element(f"#{grid} .ag-row", timeout=10)
        assert not dash_duo.find_elements("#results-pay-grid"), "only the opened tab's table"
        rows = dash_duo.find_elements(f"#{grid} .ag-center-cols-container .ag-row")
        assert len(rows) == bars > 0, graph
    wrong = read_con.execute(
        "select count(*) from marts.fct_consequence_checks where period_start = ? and is_wrong",
        [year],
    ).fetchone()[0]
    cells = dash_duo.find_elements(
        "#results-consequences-grid .ag-center-cols-container [col-id='wrong']"
    )
    assert sum(int(c.text) for c in cells) == wrong

    dash_duo.find_element(
        "label[for^='_dbcprivate_radioitems_results-period-type_input_quarter']"
    ).click()
    dash_duo.wait_for_contains_text("#results-period-label", "季度", timeout=10)
    dash_duo.wait_for_text_to_equal("#results-kpi-overdue-value", f"{in_quarter:,}", timeout=10)

    dash_duo.find_element("#results-export").click()
    workbook = openpyxl.load_workbook(downloaded(tmp_path, ".xlsx"))
    assert workbook["超期事项"].max_row - 1 == in_quarter
    assert "落实用时分布" in workbook.sheetnames
    assert "与等次规定不符" not in workbook.sheetnames  # consequences are checked per year

    assert dash_duo.get_logs() == [], "browser console errors"
