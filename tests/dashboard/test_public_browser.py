"""The public summary in a real browser, anonymous: figures equal the mart, the month filter
changes them, the CSV download is the town's monthly figures, no console errors."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.support.ui import Select

from tests.dashboard.test_overview_browser import full_page_screenshot

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def allow_downloads(dash_duo, folder: Path) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )


def downloaded(folder: Path, suffix: str, timeout: float = 15) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            time.sleep(0.2)  # let the browser finish writing
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file downloaded to {folder}")


def test_public_in_the_browser(dash_duo, dashboard_app, read_con, tmp_path):
    monthly = read_con.execute(
        """
        select period_start, value from marts.public_service_summary
        where scope_type = 'town' and metric = 'approvals_completed'
        order by period_start
        """
    ).fetchall()
    (latest, latest_value), (earlier, earlier_value) = monthly[-1], monthly[-7]
    assert latest_value != earlier_value
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    allow_downloads(dash_duo, tmp_path)
    dash_duo.driver.get(dash_duo.server_url + "/public")  # nobody signed in

    dash_duo.wait_for_text_to_equal("h1.page-title", "公开信息", timeout=15)
    dash_duo.wait_for_element("#public-trend-graph-0 .main-svg", timeout=15)
    value = "#public-kpi-approvals_completed-value"
    assert dash_duo.find_element(value).text == f"{latest_value:,.0f}"
    assert dash_duo.find_element("#public-month-label").text == f"{latest.year}年{latest.month}月"
    full_page_screenshot(dash_duo, ARTIFACTS / "public.png")

    Select(dash_duo.find_element("#public-month")).select_by_value(earlier.isoformat())
    dash_duo.wait_for_text_to_equal(value, f"{earlier_value:,.0f}", timeout=10)
    dash_duo.wait_for_text_to_equal(
        "#public-month-label", f"{earlier.year}年{earlier.month}月", timeout=10
    )

    dash_duo.find_element("#public-download-button").click()
    frame = pd.read_csv(downloaded(tmp_path, ".csv"), encoding="utf-8-sig")
    assert len(frame) == len(monthly)
    assert list(frame.columns)[:2] == ["月份", "审批办结件数"]
    assert frame["审批办结件数"].tolist() == pytest.approx([v for _, v in monthly])

    assert dash_duo.get_logs() == [], "browser console errors"
