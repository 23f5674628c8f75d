"""The app shell: served offline, navbar in the chosen language, one set of callbacks per app."""

from __future__ import annotations

import re

from dashboard.app import PACKAGE_DIR, create_app, navbar
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
    with dashboard_app.server.test_request_context("/"):
        assert "领导驾驶舱" in texts(navbar("zh"))
        english = texts(navbar("en"))
    assert "Leadership overview" in english
    assert "Town staff performance" in english


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
