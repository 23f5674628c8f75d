"""系统管理 in a real browser, signed in as an administrator: an account typed into the form is
created, listed and signs in; removing it asks first, then it is gone; no console errors."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.dashboard.test_overview_browser import full_page_screenshot
from tests.helpers import sign_in
from townperf import users

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NAME, PASSWORD = "browser-hr", "browser-pw-0001"


def click(dash_duo, selector: str) -> None:
    """Click a button below the fold, scrolled to the middle at once (Bootstrap scrolls smoothly:
    a click during the animation lands on whatever passes under it)."""
    button = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button
    )
    button.click()


def test_admin_adds_and_removes_an_account_in_the_browser(dash_duo, dashboard_app, built_home):
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(dashboard_app)
    sign_in(dash_duo, built_home, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/admin")
    dash_duo.wait_for_text_to_equal("h1.page-title", "系统管理", timeout=15)
    dash_duo.wait_for_element("#admin-refresh-state", timeout=15)
    # the grids size themselves to their rows: wait, so nothing moves under the clicks
    dash_duo.wait_for_element("#admin-users .ag-row", timeout=15)
    dash_duo.wait_for_element("#admin-audit .ag-row", timeout=15)

    dash_duo.find_element("#admin-new-name").send_keys(NAME)
    Select(dash_duo.find_element("#admin-new-role")).select_by_value("hr")
    dash_duo.find_element("#admin-new-password").send_keys(PASSWORD)
    dash_duo.find_element("#admin-new-password2").send_keys(PASSWORD)
    click(dash_duo, "#admin-user-add")

    dash_duo.wait_for_text_to_equal(
        "#admin-user-done", f"已创建账号 {NAME}（组织人事）", timeout=15
    )
    dash_duo.wait_for_contains_text("#admin-users", NAME, timeout=10)
    assert dash_duo.find_element("#admin-new-password").get_attribute("value") == ""
    assert users.verify(built_home, NAME, PASSWORD) == users.User(NAME, "hr")
    login = dashboard_app.server.test_client().post(
        "/login", data={"username": NAME, "password": PASSWORD}
    )
    assert login.status_code == 302
    full_page_screenshot(dash_duo, ARTIFACTS / "admin.png")

    Select(dash_duo.find_element("#admin-user-pick")).select_by_value(NAME)
    click(dash_duo, "#admin-user-remove-button")
    WebDriverWait(dash_duo.driver, 10).until(expected_conditions.alert_is_present())
    dash_duo.driver.switch_to.alert.accept()
    dash_duo.wait_for_text_to_equal("#admin-user-done", f"已删除账号 {NAME}", timeout=15)
    assert users.get_user(built_home, NAME) is None

    assert dash_duo.get_logs() == [], "browser console errors"
