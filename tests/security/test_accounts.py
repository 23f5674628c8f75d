"""Accounts as a person makes them: `townperf users add`, the accounts `make demo` creates and
prints, and the secret key production mode will not start without."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.app import create_app
from dashboard.auth import MissingSecretKey, secret_key
from tests.security.conftest import fetch
from tests.security.dash_http import mentions, render, strings_in
from townperf import users
from townperf.cli import app as cli
from townperf.demo_users import DEMO_PASSWORD
from townperf.settings import Settings, get_settings

runner = CliRunner()
# A page each demo account opens that not every role may.
DEMO_PAGE = {
    "staff": "/me",
    "office_head": "/people",
    "hr": "/people",
    "leader": "/results",
    "admin": "/admin",
}


@pytest.fixture(scope="module")
def home(built_home, tmp_path_factory) -> Path:
    """A home of its own, with the built warehouse, for the accounts these tests create."""
    path = tmp_path_factory.mktemp("accounts")
    shutil.copy(built_home / "warehouse.duckdb", path / "warehouse.duckdb")
    return path


@pytest.fixture(scope="module")
def dashboard(home):
    application = create_app(get_settings(home))
    application.server.test_client().get("/")
    return application


def sign_in(dashboard, username: str, password: str):
    client = dashboard.server.test_client()
    reply = client.post("/login", data={"username": username, "password": password})
    return client, reply.status_code


def add(home: Path, *args: str):
    return runner.invoke(cli, ["users", "add", *args, "--home", str(home)])


def test_users_add_creates_accounts_that_sign_in_with_their_scope(home, dashboard, warehouse_path):
    sid, office = fetch(
        warehouse_path,
        "select staff_id, department from marts.dim_staff where is_current "
        "order by staff_id desc limit 1",
    )[0]
    made = add(home, "cli-staff", "--role", "staff", "--staff-id", sid, "--password", "pw-cli-001")
    assert made.exit_code == 0, made.output
    assert "cli-staff: role staff" in made.output
    made = add(
        home, "cli-head", "--role", "office_head", "--office", office, "--password", "pw-cli-002"
    )
    assert made.exit_code == 0, made.output
    # Without --password the password is asked for, twice.
    made = runner.invoke(
        cli,
        ["users", "add", "cli-hr", "--role", "hr", "--home", str(home)],
        input="pw-cli-003\npw-cli-003\n",
    )
    assert made.exit_code == 0, made.output
    assert users.get_user(home, "cli-staff") == users.User("cli-staff", "staff", sid, None)
    assert users.get_user(home, "cli-head") == users.User("cli-head", "office_head", None, office)

    staff, code = sign_in(dashboard, "cli-staff", "pw-cli-001")
    assert code == 302
    assert mentions(strings_in(render(staff, dashboard, "/me")), {sid}) == {sid}
    assert "auth-refusal" in strings_in(render(staff, dashboard, "/people"))

    head, code = sign_in(dashboard, "cli-head", "pw-cli-002")
    assert code == 302
    people = render(head, dashboard, "/people").get_json()
    options = _dropdown_options(people, "people-person")
    assert options and all(f" · {office}" in o["label"] for o in options)

    hr, code = sign_in(dashboard, "cli-hr", "pw-cli-003")
    assert code == 302
    assert "auth-refusal" not in strings_in(render(hr, dashboard, "/people"))
    assert sign_in(dashboard, "cli-hr", "not-the-password")[1] == 401


def _dropdown_options(layout: object, cid: str) -> list[dict]:
    if isinstance(layout, dict):
        props = layout.get("props")
        if isinstance(props, dict) and props.get("id") == cid:
            return props["options"]
        found = [_dropdown_options(v, cid) for v in layout.values()]
    elif isinstance(layout, list):
        found = [_dropdown_options(v, cid) for v in layout]
    else:
        return []
    return next((f for f in found if f), [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "boss"],
            "unknown role 'boss'; roles are staff, office_head, hr, leader, admin",
        ),
        (["--role", "staff"], "a staff account needs --staff-id"),
        (["--role", "office_head"], "an office head account needs --office"),
        (["--role", "hr", "--password", "short"], "password must have at least 8 characters"),
    ],
)
def test_users_add_refuses_a_bad_account_clearly(home, args, message):
    if "--password" not in args:
        args = [*args, "--password", "long-enough-pw"]
    made = add(home, "cli-bad", *args)
    assert made.exit_code == 2
    assert message in made.output
    assert users.get_user(home, "cli-bad") is None


def test_make_demo_creates_and_prints_one_account_per_role(built_home, tmp_path):
    """`make demo` runs `townperf demo`; on a home holding the seed's data already the refresh
    loads nothing new and the rest is exactly what a first run does."""
    home = tmp_path / "demo"
    home.mkdir()
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    made = runner.invoke(cli, ["demo", "--no-serve", "--seed", "7", "--home", str(home)])
    assert made.exit_code == 0, made.output
    accounts = users.list_users(home)
    assert sorted(u.role for u in accounts) == sorted(users.ROLES)
    for user in accounts:
        for shown in (user.username, user.role, user.staff_id, user.office):
            if shown:
                assert shown in made.output, shown
    assert DEMO_PASSWORD in made.output

    dashboard = create_app(get_settings(home))
    dashboard.server.test_client().get("/")
    for user in accounts:
        client, code = sign_in(dashboard, user.username, DEMO_PASSWORD)
        assert code == 302, user.username
        page = DEMO_PAGE[user.role]
        assert "auth-refusal" not in strings_in(render(client, dashboard, page)), user
    staff = next(u for u in accounts if u.role == "staff")
    client, _ = sign_in(dashboard, staff.username, DEMO_PASSWORD)
    assert staff.staff_id in mentions(
        strings_in(render(client, dashboard, "/me")), {staff.staff_id}
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(MissingSecretKey, match="TOWNPERF_SECRET_KEY"):
        secret_key(Settings(home=tmp_path, production=True))
    with pytest.raises(MissingSecretKey):
        create_app(Settings(home=tmp_path, production=True))
    assert secret_key(Settings(home=tmp_path, production=True, secret_key="k" * 64)) == "k" * 64
    # In development a key is made once, kept private in the home, and used from then on.
    first = secret_key(Settings(home=tmp_path))
    assert first == secret_key(Settings(home=tmp_path)) and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_townperf_serve_refuses_production_without_a_secret_key(home):
    """The real command, in a process of its own: were it to start serving, it would time out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNPERF_")}
    env |= {"TOWNPERF_PRODUCTION": "1", "DO_NOT_TRACK": "1"}
    townperf = Path(sys.executable).parent / "townperf"
    done = subprocess.run(
        [str(townperf), "serve", "--home", str(home), "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "TOWNPERF_SECRET_KEY must be set in production mode" in done.stderr


def test_users_passwd_and_remove(home, dashboard):
    """The CLI's password reset and removal: the old password stops working, the new one
    works; a removed account cannot sign in; a short password or an unknown name is refused."""
    made = add(home, "cli-reset", "--role", "hr", "--password", "pw-old-0001")
    assert made.exit_code == 0, made.output
    changed = runner.invoke(
        cli, ["users", "passwd", "cli-reset", "--password", "pw-new-0002", "--home", str(home)]
    )
    assert changed.exit_code == 0, changed.output
    assert sign_in(dashboard, "cli-reset", "pw-old-0001")[1] != 302
    assert sign_in(dashboard, "cli-reset", "pw-new-0002")[1] == 302
    short = runner.invoke(
        cli, ["users", "passwd", "cli-reset", "--password", "x", "--home", str(home)]
    )
    assert short.exit_code == 2
    removed = runner.invoke(cli, ["users", "remove", "cli-reset", "--home", str(home)])
    assert removed.exit_code == 0, removed.output
    assert users.get_user(home, "cli-reset") is None
    assert sign_in(dashboard, "cli-reset", "pw-new-0002")[1] != 302
    unknown = runner.invoke(cli, ["users", "remove", "nobody-here", "--home", str(home)])
    assert unknown.exit_code == 2


def test_the_kept_connection_follows_the_account_file(tmp_path):
    """Each serving thread keeps its connection to the account file open; a removed account,
    or a file replaced whole (restored from a backup), is seen at the next request."""
    import threading

    users.add_user(tmp_path, "keeper", "keeper-password-1", "leader")
    assert users.get_user(tmp_path, "keeper").role == "leader"
    users.add_user(tmp_path, "other", "other-password-1", "admin")
    users.remove_user(tmp_path, "keeper")
    assert users.get_user(tmp_path, "keeper") is None  # the same kept connection sees it

    backup = tmp_path / "backup"
    backup.mkdir()
    users.add_user(backup, "restored", "restored-password-1", "hr")
    for suffix in ("-wal", "-shm"):
        users.store_path(tmp_path).with_name("app.sqlite" + suffix).unlink(missing_ok=True)
    os.replace(users.store_path(backup), users.store_path(tmp_path))
    assert users.get_user(tmp_path, "restored").role == "hr"
    assert users.get_user(tmp_path, "other") is None
    users.audit(tmp_path, "restored", "hr", "view_person", "G0001")
    assert [e["action"] for e in users.audit_entries(tmp_path)] == ["view_person"]

    # another thread has a connection of its own, and sees the same
    seen = []
    thread = threading.Thread(target=lambda: seen.append(users.get_user(tmp_path, "restored")))
    thread.start()
    thread.join()
    assert seen[0].role == "hr"
