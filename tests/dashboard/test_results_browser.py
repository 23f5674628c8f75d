"""Result utilization in a real browser, signed in as a leader: the overdue figure equals an
independent count, the period filter changes it, the Excel export opens, no console errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.dashboard.test_overview_browser import full_page_screenshot
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

    dash_duo.find_element(
        "label[for^='_dbcprivate_radioitems_results-period-type_input_quarter']"
    ).click()
    dash_duo.wait_for_contains_text("#results-period-label", "季度", timeout=10)
    dash_duo.wait_for_text_to_equal("#results-kpi-overdue-value", f"{in_quarter:,}", timeout=10)

    dash_duo.find_element("#results-export").click()
    workbook = openpyxl.load_workbook(downloaded(tmp_path, ".xlsx"))
    assert workbook["超期事项"].max_row - 1 == in_quarter
    assert "应运用未运用" not in workbook.sheetnames  # consequences are checked per year

    assert dash_duo.get_logs() == [], "browser console errors"
