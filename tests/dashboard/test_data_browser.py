"""Data status in a real browser, signed in as an administrator: the quarantine count equals
the raw table, the source filter narrows it, the Excel export opens, no console errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from selenium.webdriver.support.ui import Select

from tests.dashboard.test_overview_browser import full_page_screenshot
from tests.dashboard.test_public_browser import allow_downloads, downloaded
from tests.helpers import sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def test_data_status_in_the_browser(dash_duo, dashboard_app, built_home, read_con, tmp_path):
    (total,) = read_con.execute("select count(*) from raw.quarantine").fetchone()
    source, in_source = read_con.execute(
        "select source, count(*) from raw.quarantine group by 1 order by 2 limit 1"
    ).fetchone()
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    allow_downloads(dash_duo, tmp_path)
    sign_in(dash_duo, built_home, "admin")
    dash_duo.wait_for_element(".navbar-brand", timeout=15)
    dash_duo.driver.get(dash_duo.server_url + "/data")

    dash_duo.wait_for_text_to_equal("h1.page-title", "数据管理", timeout=15)
    dash_duo.wait_for_element("#data-rows-graph .main-svg", timeout=15)
    dash_duo.wait_for_element("#data-quarantine-grid .ag-row", timeout=15)
    assert f"{total:,}" in dash_duo.find_element("#data-quarantine-count").text
    assert dash_duo.find_element("#data-kpi-last-refresh-value").text == "成功"
    full_page_screenshot(dash_duo, ARTIFACTS / "data.png")

    Select(dash_duo.find_element("#data-source")).select_by_value(source)
    dash_duo.wait_for_text_to_equal("#data-quarantine-count", f"共 {in_source:,} 行", timeout=10)

    dash_duo.find_element("#data-export").click()
    sheet = openpyxl.load_workbook(downloaded(tmp_path, ".xlsx")).worksheets[0]
    assert sheet.max_row - 1 == in_source

    assert dash_duo.get_logs() == [], "browser console errors"
