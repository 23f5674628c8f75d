"""The overview in a real browser: the KPI figures and their change against the month before
match the mart, the month and period filters change what is shown, the office comparison's top
office and score match the mart, the Excel export opens with the same figures, English works,
no console errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard.components.formatting import period_containing
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


def town_figure(read_con, metric: str) -> list[tuple]:
    """(month, value) of one town figure, oldest first."""
    return read_con.execute(
        "select period_start, value from marts.public_service_summary "
        "where scope_type = 'town' and metric = ? order by period_start",
        [metric],
    ).fetchall()


def top_office(read_con, period_type: str, period_start) -> tuple[str, float, int]:
    """The office with the best average composite of the period, that average, and how many
    offices were assessed: counted from the person scores."""
    rows = read_con.execute(
        """
        select department,
               avg(composite_score) filter (where not insufficient_data) as average
        from marts.fct_person_scores
        where period_type = ? and period_start = ?
        group by department
        order by average desc nulls last, department
        """,
        [period_type, period_start],
    ).fetchall()
    return rows[0][0], rows[0][1], len(rows)


def shown_change(text: str) -> float:
    """'▲ +5.2%' → 5.2; '▼ −1.0%' → -1.0 (the app writes a real minus sign)."""
    number = text.split()[-1].replace("−", "-").rstrip("%")
    return float(number)


def test_overview_in_the_browser(dash_duo, dashboard_app, read_con, built_home, tmp_path):
    # imported here: the public page's test imports this module's screenshot helper
    from tests.dashboard.test_public_browser import allow_downloads, downloaded

    expected = expected_kpis(read_con)
    completed = town_figure(read_con, "approvals_completed")
    (latest, value), (before, previous) = completed[-1], completed[-2]
    earlier, earlier_value = completed[-7]
    assert earlier_value != value
    quarter = period_containing("quarter", latest)
    office, average, offices = top_office(read_con, "quarter", quarter)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    allow_downloads(dash_duo, tmp_path)
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
    # the change against the month before, as the mart's two months give it
    assert before.month == (latest.month - 2) % 12 + 1
    delta = dash_duo.find_element("#overview-kpi-approvals_completed-change .kpi-delta").text
    assert shown_change(delta) == pytest.approx(round((value - previous) / previous * 100, 1))

    full_page_screenshot(dash_duo, ARTIFACTS / "overview.png")

    # switching the period type redraws the comparison for the quarter: the table behind the
    # office chart starts with the office the person scores put first, at their average
    dash_duo.find_element(
        "label[for^='_dbcprivate_radioitems_overview-period-type_input_quarter']"
    ).click()
    dash_duo.wait_for_contains_text("#overview-period", "季度", timeout=10)
    show_table(
        dash_duo,
        dash_duo.driver.find_element(
            By.XPATH,
            "//div[@id='overview-offices']//a[contains(@class, 'nav-link')][text()='数据表']",
        ),
    )
    first_row = "#overview-office-grid .ag-row[row-index='0']"  # the pinned part and the rest
    dash_duo.wait_for_text_to_equal(f"{first_row} [col-id='department']", office, timeout=10)
    assert dash_duo.find_element(f"{first_row} [col-id='avg_composite']").text == f"{average:.1f}"

    # the export holds the same tables for the same month and period type
    dash_duo.find_element("#overview-export").click()
    workbook = openpyxl.load_workbook(downloaded(tmp_path, ".xlsx"))
    assert workbook.sheetnames[:4] == ["全镇指标逐月", "科室综合得分", "科室办件量", "指标中位数"]
    scores = workbook["科室综合得分"]
    assert scores.max_row - 1 == offices
    assert [c.value for c in scores[2]][0] == office
    assert [c.value for c in scores[2]][3] == pytest.approx(average)
    months = workbook["全镇指标逐月"]
    assert months.max_row - 1 == len(completed)
    assert months.cell(2, 2).value == pytest.approx(value)

    # another month: the KPI follows it
    Select(dash_duo.find_element("#overview-month")).select_by_value(earlier.isoformat())
    value_id = "#overview-kpi-approvals_completed-value"
    dash_duo.wait_for_text_to_equal(value_id, f"{earlier_value:,.0f}", timeout=10)
    dash_duo.wait_for_text_to_equal(
        "#overview-kpi-period", f"{earlier.year}年{earlier.month}月", timeout=10
    )

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


def show_table(dash_duo, tab) -> None:
    """Open a chart card's table tab: scrolled into view to click it (the navbar may cover
    it), then scrolled back, so that the next clicks find the page where it was."""
    dash_duo.driver.execute_script(
        "const y = window.scrollY; arguments[0].scrollIntoView({block: 'center'});"
        "arguments[0].click(); window.scrollTo(0, y);",
        tab,
    )


def full_page_screenshot(dash_duo, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    driver = dash_duo.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(1000, height + 120))
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
