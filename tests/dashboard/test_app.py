"""The app shell: served offline, navbar in the chosen language, one set of callbacks per app."""

from __future__ import annotations

import re

from dashboard.app import PACKAGE_DIR, create_app, navbar
from tests.helpers import signed_in
from townperf.settings import get_settings


def test_nothing_is_loaded_from_outside_the_intranet(dashboard_app):
    client = dashboard_app.server.test_client()
    page = client.get("/").text
    sources = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert sources, page
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    assert any("/assets/bootstrap.min.css" in s for s in sources)
    assert client.get("/assets/bootstrap.min.css").status_code == 200
    for css in (PACKAGE_DIR / "assets").glob("*.css"):
        assert not re.search(r"@import|url\((['\"]?)https?:", css.read_text()), css.name


def test_navbar_lists_the_pages_in_the_chosen_language(dashboard_app, texts):
    with dashboard_app.server.test_request_context("/"), signed_in("leader"):
        assert "领导驾驶舱" in texts(navbar("zh"))
        english = texts(navbar("en"))
    assert "Leadership overview" in english
    assert "Town staff performance" in english


def test_navbar_offers_only_the_pages_a_role_may_see(dashboard_app, texts):
    with dashboard_app.server.test_request_context("/"):
        public = texts(navbar("zh"))
    assert "领导驾驶舱" not in public and "登录" in public
    with dashboard_app.server.test_request_context("/"), signed_in("staff", staff_id="G0001"):
        staff = texts(navbar("zh"))
    assert "领导驾驶舱" not in staff and "退出" in staff


def test_overview_callbacks_refuse_anonymous_posts(dashboard_app):
    """Hiding a page is not enough: its callbacks are refused on the server."""
    client = dashboard_app.server.test_client()
    body = {
        "output": "overview-kpis.children",
        "outputs": {"id": "overview-kpis", "property": "children"},
        "inputs": [{"id": "overview-month", "property": "value", "value": "2025-06-01"}],
        "changedPropIds": ["overview-month.value"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 401
    assert "全镇" not in response.get_data(as_text=True)


def test_language_switch_is_served_by_the_app(dashboard_app):
    client = dashboard_app.server.test_client()
    response = client.get("/lang/en", headers={"Referer": "http://localhost/"})
    assert response.status_code == 302
    assert "lang=en" in response.headers["Set-Cookie"]


def test_each_app_owns_exactly_its_page_callbacks(tmp_path):
    first = create_app(get_settings(tmp_path))
    second = create_app(get_settings(tmp_path))
    assert set(first.callback_map) == set(second.callback_map)
    assert len(second._callback_list) == len(second.callback_map)
    assert any("overview-kpis" in key for key in second.callback_map)
