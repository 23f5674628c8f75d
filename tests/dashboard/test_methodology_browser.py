"""The methodology in a real browser: anonymous visitors read the method and download it
without any what-if panel; a leader tries other weights and sees the ranking move."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from selenium.webdriver.common.keys import Keys

from tests.dashboard.conftest import page_module
from tests.dashboard.test_overview_browser import full_page_screenshot
from tests.dashboard.test_public_browser import allow_downloads, downloaded
from tests.helpers import sign_in
from townperf.settings import DBT_PROJECT_DIR
from warehouse import report_queries as rq

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SEEDS = DBT_PROJECT_DIR / "seeds"


def test_methodology_in_the_browser(dash_duo, dashboard_app, tmp_path):
    indicators = pd.read_csv(SEEDS / "indicators.csv")
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    allow_downloads(dash_duo, tmp_path)
    dash_duo.driver.get(dash_duo.server_url + "/methodology")  # nobody signed in

    dash_duo.wait_for_text_to_equal("h1.page-title", "考核办法", timeout=15)
    dash_duo.wait_for_element("#methodology-weights-graph .main-svg", timeout=15)
    catalog = dash_duo.find_element("#methodology-indicators").text
    assert all(name in catalog for name in indicators["name_zh"])
    assert "m = 10" in dash_duo.find_element("#methodology-step-3").text
    assert not dash_duo.driver.find_elements("css selector", "#results-whatif-panel")
    full_page_screenshot(dash_duo, ARTIFACTS / "methodology.png")

    dash_duo.find_element("#methodology-download-button").click()
    workbook = openpyxl.load_workbook(downloaded(tmp_path, ".xlsx"))
    assert "权重" in workbook.sheetnames and "indicators" in workbook.sheetnames
    assert workbook["indicators"].max_row - 1 == len(indicators)

    assert dash_duo.get_logs() == [], "browser console errors"


def test_whatif_weights_in_the_browser(
    dash_duo, dashboard_app, built_home, warehouse_path, read_con
):
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_person_scores "
        "where period_type = 'year' and is_complete_period"
    ).fetchone()
    module = page_module("/methodology")
    tried = module.whatif_table(
        warehouse_path, rq.seed_tables_from_files(), "审批", year, {"appr_workload": 300}, None
    )
    moved = int((tried["movement"].dropna() != 0).sum())
    assert moved > 0
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "leader")
    dash_duo.wait_for_element(".navbar-brand", timeout=15)
    dash_duo.driver.get(dash_duo.server_url + "/methodology")

    dash_duo.wait_for_element("#results-whatif-grid", timeout=15)
    dash_duo.wait_for_text_to_equal("#results-whatif-moved-value", "0", timeout=10)
    weight_id = json.dumps(
        {"index": "appr_workload", "type": "results-whatif-weight"}, separators=(",", ":")
    )
    box = dash_duo.driver.find_element("xpath", f"//input[@id='{weight_id}']")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("300", Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#results-whatif-moved-value", str(moved), timeout=10)
    dash_duo.find_element("label[for='results-whatif-share']")  # the share slider is there
    dash_duo.driver.set_window_size(1400, 3000)
    panel = dash_duo.find_element("#results-whatif-panel")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView()", panel)
    panel.screenshot(str(ARTIFACTS / "methodology-whatif.png"))

    # clicked while the tall window shows the whole panel: shrinking the window first raced
    # with the click (Chromium aimed at where the button was before the resize)
    reset = dash_duo.find_element("#results-whatif-reset")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", reset)
    reset.click()
    dash_duo.wait_for_text_to_equal("#results-whatif-moved-value", "0", timeout=10)
    dash_duo.driver.set_window_size(1400, 1000)
    assert dash_duo.get_logs() == [], "browser console errors"
