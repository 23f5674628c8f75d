"""系统管理 over HTTP, as the browser posts it: "refresh now" starts a real `townperf refresh`
that loads the inbox (and only one at a time), and accounts made, reset and removed on the page
sign in, or stop working, as the command line's do. Every change is in the audit log, and no
other role can make one."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import dash
import pytest

from dashboard.app import create_app
from tests.refresh.refresh_support import BATCH_A, BATCH_B, copy_home, served_loads
from tests.security.dash_http import (
    PASSWORD,
    Values,
    body,
    client_as,
    mentions,
    render,
    server_callbacks,
    strings_in,
)
from townperf import pipeline, users
from townperf.scheduler import refresh_running
from townperf.settings import get_settings
from warehouse.store import connect_read, writer_lock

START = "..admin-refresh-message.children...admin-refresh-launched.data.."
STATUS = "..admin-refresh-status.children...admin-refresh-poll.disabled.."


def accounts_key(app: dash.Dash) -> str:
    return next(key for key in server_callbacks(app) if "admin-user-message" in key)


def app_on(home: Path) -> dash.Dash:
    """The real app on `home`, with a `sec-<role>` account of each role the tests sign in as."""
    for role in ("admin", "hr", "leader"):
        users.add_user(home, f"sec-{role}", PASSWORD, role)
    app = create_app(get_settings(home))
    app.server.test_client().get("/")
    return app


def admin_page(app: dash.Dash, client) -> Values:
    reply = render(client, app, "/admin")
    assert reply.status_code == 200
    values = Values()
    values.learn(reply.get_json())
    return values


def press(client, app, key: str, trigger: str, values: Values, **fields):
    """Post callback `key` as the browser does when `trigger` (id.prop) changed, with the
    form's fields (component id -> value) as typed."""
    overrides = {(cid.replace("_", "-"), "value"): value for cid, value in fields.items()}
    payload = body(app, key, values, overrides)
    payload["changedPropIds"] = [trigger]
    return client.post("/_dash-update-component", json=payload)


def answer(reply) -> dict:
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    return reply.get_json()["response"]


def actions(home: Path, action: str) -> list[dict]:
    return [e for e in users.audit_entries(home) if e["action"] == action]


# -- refresh ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_exports(tmp_path_factory) -> Path:
    from townperf.generate import generate

    out = tmp_path_factory.mktemp("admin_exports")
    generate(out, scale="town", seed=7, months=6)
    return out


@pytest.fixture(scope="module")
def refresh_home(tmp_path_factory, small_exports) -> Path:
    """A home built by a real refresh of BATCH_A (as tests/refresh do), BATCH_B in its inbox."""
    baseline = tmp_path_factory.mktemp("admin_baseline")
    settings = get_settings(baseline)
    settings.ensure_dirs()
    for name in BATCH_A:
        shutil.copy(small_exports / name, settings.inbox / name)
    assert pipeline.refresh(settings).status == "success"
    return copy_home(baseline, small_exports, tmp_path_factory.mktemp("admin") / "home", BATCH_B)


def wait_for_refresh(client, app, values: Values, timeout: float = 300) -> list[bool]:
    """Ask for the status as the page's interval does until it stops asking; the `disabled`
    answers seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        reply = answer(press(client, app, STATUS, "admin-refresh-poll.n_intervals", values))
        seen.append(reply["admin-refresh-poll"]["disabled"])
        if seen[-1]:
            return seen
        assert time.monotonic() < deadline, "the refresh never ended"
        time.sleep(0.5)


def test_refresh_now_runs_one_refresh_of_the_inbox(refresh_home):
    app = app_on(refresh_home)
    settings = get_settings(refresh_home)
    before = served_loads(refresh_home)
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    page = strings_in(render(admin, app, "/admin"))
    assert "没有刷新在运行" in page and "收件箱中待导入的文件：3 个" in page

    started = answer(press(admin, app, START, "admin-refresh-start.n_clicks", values))
    assert started["admin-refresh-message"]["children"]["props"]["id"] == "admin-refresh-started"
    pid = started["admin-refresh-launched"]["data"]["pid"]
    # A second click while it runs: told so, and nothing else is started.
    again = answer(press(admin, app, START, "admin-refresh-start.n_clicks", values))
    assert again["admin-refresh-message"]["children"]["props"]["id"] == "admin-refresh-busy"
    assert "admin-refresh-launched" not in again
    assert "已有刷新在运行" in strings_in_answer(again)

    polls = wait_for_refresh(admin, app, values)
    assert polls[0] is False, "the page keeps asking while the refresh runs"
    assert refresh_running(settings) is None

    runs = [
        r for r in pipeline.read_history(settings) if r["started_at"] > _baseline_start(settings)
    ]
    assert len(runs) == 1, "one refresh ran, not two"
    (run,) = runs
    assert run["status"] == "success" and run["files_loaded"] == 3 and run["swapped"]
    assert not list(settings.inbox.iterdir()), "the loaded files were archived"
    after = served_loads(refresh_home)
    assert len(after) == len(before) + 3, "the served warehouse holds the new files"
    assert _refresh_runs(refresh_home) >= 2

    status = answer(press(admin, app, STATUS, "admin-refresh-poll.n_intervals", values))
    shown = strings_in_answer(status)
    assert (
        f"批次 {run['run_id']}：成功" in shown
        and "文件：导入 3 个，已导入过 0 个，拒收 0 个" in shown
    )
    assert "收件箱中待导入的文件：0 个" in shown

    (entry,) = actions(refresh_home, "refresh_start")
    assert entry["username"] == "sec-admin" and f"pid {pid}" in entry["detail"]
    (refused,) = actions(refresh_home, "refresh_refused")
    assert refused["username"] == "sec-admin"
    log = refresh_home / entry["detail"].split("output ", 1)[1]
    assert f"refresh {run['run_id']}" in log.read_text(), "the command's output is kept"

    # The refresh ended, and with it the launch: the next click starts one again.
    third = answer(press(admin, app, START, "admin-refresh-start.n_clicks", values))
    assert third["admin-refresh-message"]["children"]["props"]["id"] == "admin-refresh-started"
    wait_for_refresh(admin, app, values)
    latest = pipeline.read_history(settings)[0]
    assert latest["status"] == "success" and latest["dbt_status"] == "skipped (nothing new)"


def _baseline_start(settings) -> str:
    """When the baseline's refresh, the oldest run of the home, started."""
    return pipeline.read_history(settings)[-1]["started_at"]


def _refresh_runs(home: Path) -> int:
    con = connect_read(home / "warehouse.duckdb")
    try:
        return con.execute("select count(*) from raw.refresh_runs").fetchone()[0]
    finally:
        con.close()


def strings_in_answer(response: dict) -> str:
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(response)
    return "\n".join(found)


def test_refresh_now_says_so_when_the_command_line_holds_the_lock(tmp_path):
    """A refresh run by cron or by hand holds the writer lock: the page starts nothing."""
    app = app_on(tmp_path)
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    with writer_lock(tmp_path, "refresh abc123 since now"):
        busy = answer(press(admin, app, START, "admin-refresh-start.n_clicks", values))
        status = answer(press(admin, app, STATUS, "admin-refresh-poll.n_intervals", values))
    assert busy["admin-refresh-message"]["children"]["props"]["id"] == "admin-refresh-busy"
    assert "refresh abc123 since now" in strings_in_answer(busy)
    assert "正在刷新" in strings_in_answer(status)
    assert status["admin-refresh-poll"]["disabled"] is False
    assert not list((tmp_path / "logs").glob("refresh-*.log")), "no refresh was started"
    after = answer(press(admin, app, STATUS, "admin-refresh-poll.n_intervals", values))
    assert after["admin-refresh-poll"]["disabled"] is True
    assert "没有刷新在运行" in strings_in_answer(after)


# -- accounts ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts_home(built_home, tmp_path_factory) -> Path:
    """A home of its own with the session's built warehouse, for the accounts made here."""
    home = tmp_path_factory.mktemp("admin_accounts")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    return home


@pytest.fixture(scope="module")
def accounts_app(accounts_home):
    return app_on(accounts_home)


@pytest.fixture(scope="module")
def person(accounts_home) -> str:
    con = connect_read(accounts_home / "warehouse.duckdb")
    try:
        return con.execute(
            "select staff_id from marts.dim_staff where is_current order by staff_id limit 1"
        ).fetchone()[0]
    finally:
        con.close()


def add(client, app, values, **fields):
    form = {
        "admin_new_name": None,
        "admin_new_role": "staff",
        "admin_new_staff_id": None,
        "admin_new_office": None,
        "admin_new_password": None,
        "admin_new_password2": None,
    } | fields
    return press(client, app, accounts_key(app), "admin-user-add.n_clicks", values, **form)


def sign_in(app, username: str, password: str):
    client = app.server.test_client()
    return client, client.post("/login", data={"username": username, "password": password})


def test_an_account_added_on_the_page_signs_in_with_its_scope(accounts_app, accounts_home, person):
    app = accounts_app
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    made = answer(
        add(
            admin,
            app,
            values,
            admin_new_name="  page-staff ",
            admin_new_staff_id=person,
            admin_new_password="page-pw-0001",
            admin_new_password2="page-pw-0001",
        )
    )
    assert made["admin-user-message"]["children"]["props"]["id"] == "admin-user-done"
    assert "已创建账号 page-staff（普通干部）" in strings_in_answer(made["admin-user-message"])
    assert {"username": "page-staff", "role": "staff", "staff_id": person}.items() <= next(
        row for row in made["admin-users"]["rowData"] if row["username"] == "page-staff"
    ).items()
    assert "page-staff" in [o["value"] for o in made["admin-user-pick"]["options"]]
    assert made["admin-new-password"]["value"] == "" == made["admin-new-password2"]["value"]
    assert users.get_user(accounts_home, "page-staff") == users.User(
        "page-staff", "staff", person, None
    )
    (entry,) = actions(accounts_home, "user_add")
    assert (entry["username"], entry["subject"]) == ("sec-admin", "page-staff")
    assert "page-pw-0001" not in str(users.audit_entries(accounts_home))
    assert any(row["action"] == "user_add" for row in made["admin-audit"]["rowData"])

    staff, reply = sign_in(app, "page-staff", "page-pw-0001")
    assert reply.status_code == 302
    assert mentions(strings_in(render(staff, app, "/me")), {person}) == {person}
    assert "auth-refusal" in strings_in(render(staff, app, "/people"))

    # The same name again is refused, and the account is left as it was.
    again = answer(
        add(
            admin,
            app,
            values,
            admin_new_name="page-staff",
            admin_new_role="hr",
            admin_new_password="other-pw-0002",
            admin_new_password2="other-pw-0002",
        )
    )
    assert "账号 page-staff 已存在" in strings_in_answer(again)
    assert users.get_user(accounts_home, "page-staff").role == "staff"
    assert sign_in(app, "page-staff", "page-pw-0001")[1].status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"admin_new_name": "  "}, "请填写用户名"),
        ({"admin_new_name": "x" * 65}, "用户名最多 64 个字符"),
        ({"admin_new_role": "boss"}, "请选择角色"),
        ({"admin_new_role": None}, "请选择角色"),
        ({"admin_new_role": "staff", "admin_new_staff_id": " "}, "普通干部账号须填写工号"),
        ({"admin_new_role": "office_head"}, "科室负责人账号须填写科室"),
        ({"admin_new_password": "short", "admin_new_password2": "short"}, "密码至少 8 位"),
        ({"admin_new_password2": "not-the-same"}, "两次输入的密码不一致"),
    ],
)
def test_a_bad_account_is_refused_clearly(accounts_app, accounts_home, fields, message):
    app = accounts_app
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    form = {
        "admin_new_name": "page-bad",
        "admin_new_role": "hr",
        "admin_new_staff_id": "G0001",
        "admin_new_password": "long-enough-pw",
        "admin_new_password2": "long-enough-pw",
    } | fields
    reply = answer(add(admin, app, values, **form))
    assert reply["admin-user-message"]["children"]["props"]["id"] == "admin-user-error"
    assert message in strings_in_answer(reply)
    assert set(reply) == {"admin-user-message"}, "nothing else changes"
    assert not [u for u in users.list_users(accounts_home) if u.username.strip() == "page-bad"]


def test_a_password_reset_and_a_removal_take_effect_at_once(accounts_app, accounts_home):
    app = accounts_app
    users.add_user(accounts_home, "page-hr", "first-pw-0001", "hr")
    hr, reply = sign_in(app, "page-hr", "first-pw-0001")
    assert reply.status_code == 302
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    key = accounts_key(app)

    short = answer(
        press(
            admin,
            app,
            key,
            "admin-user-reset.n_clicks",
            values,
            admin_user_pick="page-hr",
            admin_reset_password="short",
        )
    )
    assert "密码至少 8 位" in strings_in_answer(short)
    reset = answer(
        press(
            admin,
            app,
            key,
            "admin-user-reset.n_clicks",
            values,
            admin_user_pick="page-hr",
            admin_reset_password="second-pw-0002",
        )
    )
    assert "已重置 page-hr 的密码" in strings_in_answer(reset)
    assert reset["admin-reset-password"]["value"] == ""
    assert sign_in(app, "page-hr", "first-pw-0001")[1].status_code == 401
    assert sign_in(app, "page-hr", "second-pw-0002")[1].status_code == 302
    assert [e["subject"] for e in actions(accounts_home, "user_password_reset")] == ["page-hr"]

    nobody = answer(press(admin, app, key, "admin-user-remove.submit_n_clicks", values))
    assert "请先选择账号" in strings_in_answer(nobody)
    removed = answer(
        press(
            admin, app, key, "admin-user-remove.submit_n_clicks", values, admin_user_pick="page-hr"
        )
    )
    assert "已删除账号 page-hr" in strings_in_answer(removed)
    assert "page-hr" not in [row["username"] for row in removed["admin-users"]["rowData"]]
    assert users.get_user(accounts_home, "page-hr") is None
    # The session signed in before the removal is a stranger's now.
    assert "auth-refusal" in strings_in(render(hr, app, "/people"))
    assert sign_in(app, "page-hr", "second-pw-0002")[1].status_code == 401
    (entry,) = actions(accounts_home, "user_remove")
    assert (entry["username"], entry["subject"], entry["detail"]) == (
        "sec-admin",
        "page-hr",
        "role hr",
    )

    # An admin cannot remove the account they are signed in with.
    own = answer(
        press(
            admin,
            app,
            key,
            "admin-user-remove.submit_n_clicks",
            values,
            admin_user_pick="sec-admin",
        )
    )
    assert "不能删除当前登录的账号" in strings_in_answer(own)
    assert users.get_user(accounts_home, "sec-admin") is not None


def test_the_last_admin_account_is_kept(tmp_path):
    users.add_user(tmp_path, "only-admin", "admin-pw-0001", "admin")
    users.add_user(tmp_path, "second-admin", "admin-pw-0002", "admin")
    users.remove_user(tmp_path, "second-admin")
    with pytest.raises(users.UserError) as refused:
        users.remove_user(tmp_path, "only-admin")
    assert refused.value.code == "last_admin"
    assert users.get_user(tmp_path, "only-admin") is not None


@pytest.mark.parametrize("role", ["public", "hr", "leader"])
def test_other_roles_change_nothing(accounts_app, accounts_home, role):
    """Posted with a complete form, as an admin's browser would, the callbacks are refused
    before they run: no account, no password, no refresh."""
    app = accounts_app
    admin = client_as(app, "admin")
    values = admin_page(app, admin)
    client = client_as(app, role)
    code = 401 if role == "public" else 403
    made = add(
        client,
        app,
        values,
        admin_new_name=f"intruder-{role}",
        admin_new_role="admin",
        admin_new_password="intruder-pw-01",
        admin_new_password2="intruder-pw-01",
    )
    assert made.status_code == code
    assert users.get_user(accounts_home, f"intruder-{role}") is None
    reset = press(
        client,
        app,
        accounts_key(app),
        "admin-user-reset.n_clicks",
        values,
        admin_user_pick="sec-admin",
        admin_reset_password="taken-over-01",
    )
    assert reset.status_code == code
    assert sign_in(app, "sec-admin", PASSWORD)[1].status_code == 302
    started = press(client, app, START, "admin-refresh-start.n_clicks", values)
    assert started.status_code == code
    assert not (accounts_home / "logs").exists() or not list(
        (accounts_home / "logs").glob("refresh-*.log")
    )
    assert "auth-refusal" in strings_in(render(client, app, "/admin"))
