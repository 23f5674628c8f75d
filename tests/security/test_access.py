"""Every page, rendered over HTTP as each role, and the login: throttling, cookies, redirects,
the audit of who signed in. Walks the app's own page registry, so new pages are covered.
Callbacks: test_callbacks_http.py; public responses: test_public_privacy.py."""

from __future__ import annotations

import dash
import pytest

from dashboard.app import page_key
from dashboard.auth import PAGE_ROLES
from tests.security.dash_http import PASSWORD, ROLES, client_as, mentions, render, strings_in
from townperf import users


def _pages():
    return [p for p in dash.page_registry.values() if page_key(p) in PAGE_ROLES]


def test_every_registered_page_has_an_access_rule():
    """A page missing from PAGE_ROLES would be refused to all; one forgotten here, untested."""
    assert {page_key(p) for p in dash.page_registry.values()} <= set(PAGE_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(app, accounts, roster, role):
    client = client_as(app, role)
    for page in _pages():
        allowed = role in PAGE_ROLES[page_key(page)]
        response = render(client, app, page["path"])
        assert response.status_code == 200, (role, page["path"])
        strings = strings_in(response)
        refused = "auth-refusal" in strings
        assert refused != allowed, (role, page["path"])
        if refused:
            assert not mentions(strings, roster.names | roster.ids), (role, page["path"])


def test_login_brute_force_is_throttled(app, built_home):
    # An account of its own: the throttle holds it for minutes, and other tests sign in as hr.
    users.add_user(built_home, "sec-bruteforce", PASSWORD, "hr")
    client = app.server.test_client()
    codes = [
        client.post(
            "/login", data={"username": "sec-bruteforce", "password": f"wrong-{i}"}
        ).status_code
        for i in range(7)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]
    # once throttled, even the right password is refused for the window
    right = client.post("/login", data={"username": "sec-bruteforce", "password": PASSWORD})
    assert right.status_code == 429
    actions = [
        e["action"] for e in users.audit_entries(built_home) if e["username"] == "sec-bruteforce"
    ]
    assert actions.count("login_failed") == 5 and actions.count("login_throttled") == 3


def test_security_headers_and_cookie_flags(app, accounts):
    """Through Flask's test client; the real servers' headers: test_live_servers.py."""
    client = app.server.test_client()
    response = client.post("/login", data={"username": "sec-leader", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Server" not in page.headers


def test_login_redirect_stays_on_this_site(app, accounts):
    client = app.server.test_client()
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"username": "sec-admin", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(app, accounts):
    client = client_as(app, "hr")
    assert "auth-refusal" not in strings_in(render(client, app, "/people"))
    client.get("/logout")
    assert "auth-refusal" in strings_in(render(client, app, "/people"))
    reply = client.post(
        "/_dash-update-component",
        json={"output": "people-content.children", "outputs": {}, "inputs": [], "state": []},
    )
    assert reply.status_code == 401


def test_views_are_audited_for_admin(app, accounts, built_home):
    client = client_as(app, "admin")
    client.get("/logout")
    entries = users.audit_entries(built_home)
    actions = {(e["username"], e["action"]) for e in entries}
    assert ("sec-admin", "login") in actions and ("sec-admin", "logout") in actions
    admin = client_as(app, "admin")
    strings = strings_in(render(admin, app, "/admin"))
    assert mentions(strings, {"sec-admin", "login"}) == {"sec-admin", "login"}
