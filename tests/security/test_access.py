"""Every page and every callback, called directly over HTTP as each role: what may and may not
come back. Walks the app's own page registry and callback map, so new pages are covered."""

from __future__ import annotations

import json

import dash
import pytest

from dashboard.app import create_app, page_key
from dashboard.auth import PAGE_ROLES
from townperf import users
from townperf.settings import get_settings
from warehouse.store import connect_read

ROLES = ("public", "staff", "office_head", "hr", "leader", "admin")
PASSWORD = "security-test-pw"


@pytest.fixture(scope="module")
def app(built_home):
    application = create_app(get_settings(built_home))
    application.server.test_client().get("/")  # Dash registers its pages callback on first use
    return application


def _fetch(warehouse_path, sql):
    con = connect_read(warehouse_path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def roster(warehouse_path):
    rows = _fetch(warehouse_path, "select distinct staff_id, name from marts.dim_staff")
    return {sid for sid, _ in rows}, {name for _, name in rows}


@pytest.fixture(scope="module")
def accounts(built_home, warehouse_path):
    sid, office = _fetch(
        warehouse_path, "select staff_id, department from marts.dim_staff where is_current limit 1"
    )[0]
    extra = {"staff": {"staff_id": sid}, "office_head": {"office": office}}
    for role in ROLES[1:]:
        users.add_user(built_home, f"sec-{role}", PASSWORD, role, **extra.get(role, {}))
    return extra


def client_as(app, role):
    client = app.server.test_client()
    if role != "public":
        response = client.post("/login", data={"username": f"sec-{role}", "password": PASSWORD})
        assert response.status_code == 302, role
    return client


def _pages_callback(app) -> str:
    return next(key for key in app.callback_map if "_pages_content" in key)


def _body(app, key: str, values: dict[tuple[str, str], object]) -> dict:
    spec = app.callback_map[key]

    def items(kind):
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": values.get((i["id"], i["property"])),
            }
            for i in spec.get(kind, [])
        ]

    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop})
    inputs = items("inputs")
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else [],
    }


def render(app, client, path: str):
    key = _pages_callback(app)
    values = {("_pages_location", "pathname"): path, ("_pages_location", "search"): ""}
    return client.post("/_dash-update-component", json=_body(app, key, values))


def _pages():
    return [p for p in dash.page_registry.values() if page_key(p) in PAGE_ROLES]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(app, accounts, roster, role):
    client = client_as(app, role)
    _, names = roster
    for page in _pages():
        allowed = role in PAGE_ROLES[page_key(page)]
        response = render(app, client, page["path"])
        assert response.status_code == 200, (role, page["path"])
        text = response.get_data(as_text=True)
        if allowed:
            assert "auth-refusal" not in text, (role, page["path"])
        else:
            assert "auth-refusal" in text, (role, page["path"])
            assert not any(name in text for name in names), (role, page["path"])


@pytest.mark.parametrize("role", ROLES)
def test_callbacks_of_forbidden_pages_are_refused_on_the_server(app, accounts, role):
    client = client_as(app, role)
    checked = 0
    for key in app.callback_map:
        if "_pages_" in key:
            continue
        prefix = key.strip(".").split("-", 1)[0]
        if prefix not in PAGE_ROLES or role in PAGE_ROLES[prefix]:
            continue
        response = client.post("/_dash-update-component", json=_body(app, key, {}))
        assert response.status_code in (401, 403), (role, key, response.status_code)
        assert response.status_code == (401 if role == "public" else 403)
        checked += 1
    if role == "public":
        assert checked > 0


def _initial_values(layout_json: object) -> dict[tuple[str, str], object]:
    """Component id/property -> value as rendered, to call a page's callbacks as a browser would."""
    found: dict[tuple[str, str], object] = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                for prop, value in props.items():
                    found[(props["id"], prop)] = value
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout_json)
    return found


def test_public_responses_hold_no_name_or_id(app, roster):
    ids, names = roster
    client = app.server.test_client()
    public_pages = [p for p in _pages() if "public" in PAGE_ROLES[page_key(p)]]
    assert public_pages, "public and methodology pages are registered"
    texts = []
    for page in public_pages:
        response = render(app, client, page["path"])
        texts.append(response.get_data(as_text=True))
        values = _initial_values(response.get_json())
        prefix = page_key(page)
        for key in app.callback_map:
            if key.strip(".").startswith(prefix + "-"):
                reply = client.post("/_dash-update-component", json=_body(app, key, values))
                assert reply.status_code in (200, 204), (key, reply.status_code)
                texts.append(reply.get_data(as_text=True))
    for text in texts:
        decoded = json.loads(json.dumps(text))  # as sent: unicode, no escapes hiding names
        assert not any(sid in decoded for sid in ids)
        assert not any(name in decoded for name in names)


def test_login_brute_force_is_throttled(app, accounts):
    client = app.server.test_client()
    codes = [
        client.post("/login", data={"username": "sec-hr", "password": f"wrong-{i}"}).status_code
        for i in range(7)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]
    # once throttled, even the right password is refused for the window
    right = client.post("/login", data={"username": "sec-hr", "password": PASSWORD})
    assert right.status_code == 429


def test_security_headers_and_cookie_flags(app, accounts):
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


def test_views_are_audited_for_admin(app, accounts, built_home):
    client = client_as(app, "admin")
    client.get("/logout")
    entries = users.audit_entries(built_home)
    actions = {(e["username"], e["action"]) for e in entries}
    assert ("sec-admin", "login") in actions and ("sec-admin", "logout") in actions
    admin = client_as(app, "admin")
    text = render(app, admin, "/admin").get_data(as_text=True)
    assert "sec-admin" in text and "login" in text
