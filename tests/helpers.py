"""Helpers the tests share: acting as a signed-in user."""

from __future__ import annotations

import contextlib
from pathlib import Path


@contextlib.contextmanager
def signed_in(role: str = "leader", staff_id: str | None = None, office: str | None = None):
    """Inside a Flask request context: act as a signed-in user of that role."""
    import flask_login

    from dashboard.auth import _SessionUser
    from townperf.users import User

    flask_login.login_user(_SessionUser(User(f"test-{role}", role, staff_id, office)))
    yield


def sign_in(dash_duo, home: Path, role: str, staff_id=None, office=None) -> str:
    """Create an account of that role and sign in through the real login form."""
    from townperf import users

    username = f"test-{role}-{staff_id or office or 'x'}"
    users.add_user(home, username, "test-password-1", role, staff_id=staff_id, office=office)
    dash_duo.driver.get(dash_duo.server_url + "/login")
    dash_duo.driver.find_element("id", "username").send_keys(username)
    dash_duo.driver.find_element("id", "password").send_keys("test-password-1")
    dash_duo.driver.find_element("id", "login-submit").click()
    # Wait for the redirect to finish: navigating on before it lands races with it, and the
    # browser may end up on the redirect's page instead of the next one asked for.
    dash_duo.wait_for_element("#navbar-logout", timeout=30)
    return username


def render_page(app, client, path: str, search: str = ""):
    """POST the page router's callback for `path` as a browser navigating there would; the
    response holds the page's layout (or the refusal its role gets)."""
    key = next(k for k in app.callback_map if "_pages_content" in k)
    values = {"pathname": path, "search": search}
    body = {
        "output": key,
        "outputs": [
            {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
            for part in key.strip(".").split("...")
        ],
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": values.get(i["property"])}
            for i in app.callback_map[key]["inputs"]
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return client.post("/_dash-update-component", json=body)
