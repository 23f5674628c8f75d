"""Rankings, HR drill-down and self view in a real browser: figures match the marts, filters
redraw them, the Excel exports open, and the console stays clean."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.support.ui import Select

from tests.helpers import sign_in

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def latest_complete(read_con, period_type: str, staff_id: str | None = None):
    sql = """
        select max(period_start) from (
            select period_start
            from marts.fct_person_scores
            where period_type = ? and (? is null or staff_id = ?)
            group by period_start
            having bool_and(is_complete_period)
        )
    """
    return read_con.execute(sql, [period_type, staff_id, staff_id]).fetchone()[0]


def ranked_figures(read_con, period_start, category: str) -> tuple[int, float]:
    return read_con.execute(
        """
        select count(*), max(composite_score)
        from marts.fct_person_scores
        where period_type = 'quarter' and period_start = ? and role_category = ?
          and not insufficient_data
        """,
        [period_start, category],
    ).fetchone()


def composite_of(read_con, staff_id: str, period_type: str, period_start) -> float:
    return read_con.execute(
        """
        select composite_score from marts.fct_person_scores
        where staff_id = ? and period_type = ? and period_start = ?
        """,
        [staff_id, period_type, period_start],
    ).fetchone()[0]


def busiest_person(read_con) -> str:
    """A current approval clerk with scores in every quarter: a full drill-down."""
    return read_con.execute(
        """
        select s.staff_id
        from marts.fct_person_scores as s
        inner join marts.dim_staff as d on d.staff_id = s.staff_id and d.is_current
        where s.period_type = 'quarter' and s.role_category = '审批' and not s.insufficient_data
        group by s.staff_id
        order by count(*) desc, s.staff_id
        limit 1
        """
    ).fetchone()[0]


def allow_downloads(dash_duo, folder: Path) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )


def downloaded(folder: Path, pattern: str, timeout: float = 40) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if found:
            time.sleep(0.3)  # let Chrome finish renaming
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {pattern} downloaded into {folder}")


def full_page_screenshot(dash_duo, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    driver = dash_duo.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(1000, height + 120))
    time.sleep(0.5)
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)


def severe(dash_duo) -> list:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def number(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def test_rankings_in_the_browser(dash_duo, dashboard_app, read_con, built_home, tmp_path):
    period = latest_complete(read_con, "quarter")
    ranked, top = ranked_figures(read_con, period, "审批")
    ranked_service, top_service = ranked_figures(read_con, period, "服务")
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "hr")
    dash_duo.driver.get(dash_duo.server_url + "/rankings")

    dash_duo.wait_for_text_to_equal("h1.page-title", "排名", timeout=30)
    dash_duo.wait_for_element("#rankings-grid .ag-row", timeout=30)
    assert int(dash_duo.find_element("#rankings-stat-ranked-value").text) == ranked
    assert number(dash_duo.find_element("#rankings-stat-top-value").text) == pytest.approx(
        top, abs=0.05
    )
    assert dash_duo.find_element("#rankings-period").get_attribute("value") == (
        f"quarter|{period.isoformat()}"
    )
    dash_duo.wait_for_element("#rankings-histogram .main-svg", timeout=20)
    full_page_screenshot(dash_duo, ARTIFACTS / "rankings.png")

    Select(dash_duo.find_element("#rankings-category")).select_by_value("服务")
    dash_duo.wait_for_text_to_equal("#rankings-stat-ranked-value", str(ranked_service), timeout=20)
    assert number(dash_duo.find_element("#rankings-stat-top-value").text) == pytest.approx(
        top_service, abs=0.05
    )
    assert "服务" in dash_duo.find_element("#rankings-period-label").text

    allow_downloads(dash_duo, tmp_path)
    dash_duo.find_element("#rankings-export").click()
    workbook = openpyxl.load_workbook(io.BytesIO(downloaded(tmp_path, "*.xlsx").read_bytes()))
    assert workbook.sheetnames == ["排名", "数据不足", "得分分布"]
    sheet = workbook["排名"]
    assert sheet.max_row - 1 == ranked_service
    assert [c.value for c in sheet[1]][:3] == ["名次", "名次变化", "姓名"]
    assert severe(dash_duo) == [], "browser console errors"


def test_people_in_the_browser(dash_duo, dashboard_app, read_con, built_home, tmp_path):
    staff_id = busiest_person(read_con)
    quarter = latest_complete(read_con, "quarter", staff_id)
    year = latest_complete(read_con, "year", staff_id)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "hr")
    dash_duo.driver.get(f"{dash_duo.server_url}/people?staff_id={staff_id}")

    dash_duo.wait_for_text_to_equal("h1.page-title", "人事考核明细", timeout=30)
    dash_duo.wait_for_element("#people-indicator-grid .ag-row", timeout=30)
    shown = number(dash_duo.find_element("#people-kpi-composite-value").text)
    assert shown == pytest.approx(composite_of(read_con, staff_id, "quarter", quarter), abs=0.05)
    (records,) = read_con.execute(
        """
        select count(*) from marts.fct_indicator_records
        where staff_id = ? and date_trunc('quarter', month_start) = ?
          and list_contains(string_split(indicator_codes, ','), 'appr_on_time_rate')
        """,
        [staff_id, quarter],
    ).fetchone()
    assert f"{records:,}" in dash_duo.find_element("#people-records-note").text
    dash_duo.wait_for_element("#people-records-grid .ag-row", timeout=20)
    dash_duo.wait_for_element("#people-trend-graph .main-svg", timeout=20)
    full_page_screenshot(dash_duo, ARTIFACTS / "people.png")

    # a click on a rating row shows the ratings behind it
    cell = dash_duo.find_element(
        "#people-indicator-grid .ag-center-cols-container .ag-row[row-id='rating_public'] .ag-cell"
    )
    dash_duo.driver.execute_script("arguments[0].click()", cell)
    dash_duo.wait_for_contains_text("#people-records-note", "评价主体", timeout=20)

    # the annual view
    dash_duo.find_element(
        "label[for^='_dbcprivate_radioitems_people-period-type_input_year']"
    ).click()
    expected = composite_of(read_con, staff_id, "year", year)
    dash_duo.wait_for_text_to_equal("#people-kpi-composite-value", f"{expected:.1f}", timeout=20)

    allow_downloads(dash_duo, tmp_path)
    dash_duo.find_element("#people-export").click()
    workbook = openpyxl.load_workbook(
        io.BytesIO(downloaded(tmp_path, "person_*.xlsx").read_bytes())
    )
    assert workbook.sheetnames == [
        "概况",
        "指标明细",
        "明细记录",
        "月度走势",
        "排名历史",
        "评价",
        "面谈与申诉",
        "结果运用",
    ]
    summary = {row[0]: row[1] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["工号"] == staff_id
    assert summary["综合得分"] == pytest.approx(expected)
    assert severe(dash_duo) == [], "browser console errors"


def test_me_in_the_browser(dash_duo, dashboard_app, read_con, built_home, tmp_path):
    staff_id = busiest_person(read_con)
    quarter = latest_complete(read_con, "quarter", staff_id)
    earlier = read_con.execute(
        """
        select max(period_start) from marts.fct_person_scores
        where staff_id = ? and period_type = 'quarter' and period_start < ?
        """,
        [staff_id, quarter],
    ).fetchone()[0]
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "staff", staff_id=staff_id)
    dash_duo.driver.get(dash_duo.server_url + "/me")

    dash_duo.wait_for_text_to_equal("h1.page-title", "我的考核", timeout=30)
    dash_duo.wait_for_element("#me-quant-grid .ag-row", timeout=30)
    expected = composite_of(read_con, staff_id, "quarter", quarter)
    assert number(dash_duo.find_element("#me-kpi-composite-value").text) == pytest.approx(
        expected, abs=0.05
    )
    assert dash_duo.find_element("#me-composite-result").text == f"{expected:.1f}"
    dash_duo.wait_for_element("#me-trend-graph .main-svg", timeout=20)
    full_page_screenshot(dash_duo, ARTIFACTS / "me.png")

    Select(dash_duo.find_element("#me-period")).select_by_value(f"quarter|{earlier.isoformat()}")
    before = composite_of(read_con, staff_id, "quarter", earlier)
    dash_duo.wait_for_text_to_equal("#me-kpi-composite-value", f"{before:.1f}", timeout=20)
    dash_duo.wait_for_text_to_equal("#me-composite-result", f"{before:.1f}", timeout=20)

    allow_downloads(dash_duo, tmp_path)
    dash_duo.find_element("#me-export").click()
    workbook = openpyxl.load_workbook(io.BytesIO(downloaded(tmp_path, "my_*.xlsx").read_bytes()))
    assert workbook.sheetnames == ["概况", "计算过程", "月度走势", "结果运用"]
    summary = {row[0]: row[1] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["综合得分"] == pytest.approx(before)
    assert severe(dash_duo) == [], "browser console errors"
