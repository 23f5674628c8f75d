"""The overview in a real browser: the KPI figures match the mart, English works, no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# How each KPI is displayed: a count (1,234), a rate (96.2%) or a number of days (2.4).
KPI_KINDS = {
    "approvals_completed": "count",
    "approvals_on_time_rate": "rate",
    "approvals_avg_working_days": "days",
    "tickets_closed": "count",
    "tickets_satisfaction_rate": "rate",
    "cases_closed": "count",
}


def shown_number(text: str, kind: str) -> float:
    number = float(text.replace(",", "").rstrip("%"))
    return number / 100 if kind == "rate" else number


def expected_kpis(read_con) -> dict[str, float]:
    """The latest month's town figures, read straight from the mart."""
    return dict(
        read_con.execute(
            """
            select metric, value
            from marts.public_service_summary
            where scope_type = 'town'
              and period_start = (
                  select max(period_start)
                  from marts.public_service_summary
                  where scope_type = 'town'
              )
            """
        ).fetchall()
    )


def test_overview_in_the_browser(dash_duo, dashboard_app, read_con, built_home):
    expected = expected_kpis(read_con)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "leader")

    dash_duo.wait_for_text_to_equal("h1.page-title", "领导驾驶舱", timeout=15)
    dash_duo.wait_for_element("#overview-office-graph .main-svg", timeout=15)
    for metric, kind in KPI_KINDS.items():
        text = dash_duo.find_element(f"#overview-kpi-{metric}-value").text
        tolerance = 0.5 if kind == "count" else 0.0005 if kind == "rate" else 0.05
        if metric in expected:
            assert shown_number(text, kind) == pytest.approx(expected[metric], abs=tolerance), (
                metric
            )
        else:
            assert text == "—", metric
    assert dash_duo.find_element("#lang-zh").get_attribute("class") == "lang-link active"

    full_page_screenshot(dash_duo, ARTIFACTS / "overview.png")

    # switching the period type redraws the comparison for the quarter
    dash_duo.find_element(
        "label[for^='_dbcprivate_radioitems_overview-period-type_input_quarter']"
    ).click()
    dash_duo.wait_for_contains_text("#overview-period", "季度", timeout=10)

    dash_duo.find_element("#lang-en").click()
    dash_duo.wait_for_text_to_equal("h1.page-title", "Leadership overview", timeout=15)
    dash_duo.wait_for_text_to_equal(
        "#overview-kpi-approvals_completed-label", "Approvals completed", timeout=10
    )
    assert dash_duo.find_element(".navbar-brand").text == "Town staff performance"
    assert "Offices compared" in dash_duo.find_element(".overview-page").text
    dash_duo.wait_for_element("#overview-office-graph .main-svg", timeout=15)
    full_page_screenshot(dash_duo, ARTIFACTS / "overview-en.png")

    assert dash_duo.get_logs() == [], "browser console errors"


def full_page_screenshot(dash_duo, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    driver = dash_duo.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(1000, height + 120))
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
