"""The real servers, on a socket: `townperf serve` (Werkzeug, what `make demo` runs) and gunicorn
started as the README says. Flask's test client never passes through either, and both add
headers of their own below the app (a `Server:` banner), so the headers are checked here."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from dashboard.app import NoBannerRequestHandler, create_app
from tests.security.dash_http import PASSWORD
from townperf import users
from townperf.settings import REPO_ROOT, get_settings

BANNER_WORDS = ("werkzeug", "gunicorn", "python")
FORBIDDEN_CALLBACK = {
    "output": "people-content.children",
    "outputs": {"id": "people-content", "property": "children"},
    "inputs": [{"id": "people-person", "property": "value", "value": None}],
    "state": [],
}


@pytest.fixture(scope="module")
def live_home(built_home, tmp_path_factory) -> Path:
    """A home of its own (the servers write their cache and audit there) with one account."""
    home = tmp_path_factory.mktemp("live")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    users.add_user(home, "live-leader", PASSWORD, "leader")
    return home


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNPERF_")}
    return env | {"TOWNPERF_HOME": str(home), "DO_NOT_TRACK": "1"} | extra


@contextmanager
def running(
    cmd: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = REPO_ROOT
) -> Iterator[int]:
    """Start a server process, wait until it answers on `port`, stop it (by its pid) after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if request(port, "GET", "/login")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(port, method, path, body=None, headers=None):
    """(status, [(header, value), ...] as sent, body) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def raw_request(port: int, data: bytes) -> bytes:
    """What the server answers to bytes that are not HTTP (its own error path, below the app)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def answers(port: int) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """A sample of what the app serves: pages, the layout, an asset, a refused callback, a
    sign-in (with its cookie)."""
    asset = next((REPO_ROOT / "dashboard" / "assets").glob("*.css")).name
    form = urlencode({"username": "live-leader", "password": PASSWORD})
    calls = {
        "login page": ("GET", "/login", None, {}),
        "app shell": ("GET", "/", None, {}),
        "layout": ("GET", "/_dash-layout", None, {}),
        "asset": ("GET", f"/assets/{asset}", None, {}),
        "refused callback": (
            "POST",
            "/_dash-update-component",
            json.dumps(FORBIDDEN_CALLBACK),
            {"Content-Type": "application/json"},
        ),
        "sign-in": (
            "POST",
            "/login",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    }
    return {name: request(port, *call)[:2] for name, call in calls.items()}


def assert_no_banner(headers: list[tuple[str, str]], where: str) -> None:
    names = [name.lower() for name, _ in headers]
    assert "server" not in names, (where, headers)
    for name, value in headers:
        assert not any(word in value.lower() for word in BANNER_WORDS), (where, name, value)


def assert_served_safely(port: int, production: bool) -> None:
    seen = answers(port)
    assert seen["login page"][0] == 200 and seen["app shell"][0] == 200
    assert seen["refused callback"][0] == 401
    assert seen["sign-in"][0] == 302
    for where, (_, headers) in seen.items():
        assert_no_banner(headers, where)
        found = {name.lower(): value for name, value in headers}
        assert found["x-frame-options"] == "DENY", where
        assert "frame-ancestors 'none'" in found["content-security-policy"], where
        assert found["x-content-type-options"] == "nosniff", where
        assert found["referrer-policy"] == "same-origin", where
    cookie = dict(seen["sign-in"][1]).get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert ("Secure" in cookie) == production, cookie
    # The server's own answer to a request it refuses itself (more header lines than either
    # allows), which never reaches the app and so has none of its headers.
    many = b"".join(b"X-Filler-%d: x\r\n" % i for i in range(200))
    error = raw_request(port, b"GET /login HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    head = error.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1."), head
    assert "\nserver:" not in head and not any(word in head for word in BANNER_WORDS), head


def test_townperf_serve_sends_no_banner(live_home, tmp_path):
    port = free_port()
    townperf = Path(sys.executable).parent / "townperf"
    cmd = [str(townperf), "serve", "--home", str(live_home), "--port", str(port)]
    with running(cmd, _env(live_home), port, tmp_path / "serve.log"):
        assert_served_safely(port, production=False)


GUNICORN = [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "1"]


def test_gunicorn_as_the_readme_runs_it_sends_no_banner(live_home, tmp_path):
    port = free_port()
    cmd = [*GUNICORN, "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "dashboard.app:server"]
    env = _env(live_home, TOWNPERF_PRODUCTION="1", TOWNPERF_SECRET_KEY=secrets.token_hex(32))
    with running(cmd, env, port, tmp_path / "gunicorn.log"):
        assert_served_safely(port, production=True)


def test_gunicorn_without_the_config_file_would_name_itself(live_home, tmp_path):
    """The check sees a banner where there is one: the same gunicorn, started where no
    gunicorn.conf.py is found, sends `Server: gunicorn`."""
    port = free_port()
    cmd = [*GUNICORN, "-b", f"127.0.0.1:{port}", "dashboard.app:server"]
    env = _env(live_home, TOWNPERF_PRODUCTION="1", TOWNPERF_SECRET_KEY=secrets.token_hex(32))
    env["PYTHONPATH"] = str(REPO_ROOT)
    with running(cmd, env, port, tmp_path / "gunicorn.log", cwd=tmp_path):
        _, headers, _ = request(port, "GET", "/login")
    assert ("Server", "gunicorn") in headers
    with pytest.raises(AssertionError):
        assert_no_banner(headers, "stock gunicorn")


def test_werkzeug_names_itself_unless_serve_s_handler_is_used(live_home):
    """Werkzeug's stock request handler sends a banner; the one `townperf serve` uses does not."""
    app = create_app(get_settings(live_home))
    for handler, banner in ((WSGIRequestHandler, True), (NoBannerRequestHandler, False)):
        server = make_server("127.0.0.1", 0, app.server, request_handler=handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            _, headers, _ = request(server.server_port, "GET", "/login")
        finally:
            server.shutdown()
            thread.join()
        server_headers = [v for name, v in headers if name.lower() == "server"]
        assert bool(server_headers) == banner, headers
        if banner:
            assert "werkzeug" in server_headers[0].lower()


def test_gunicorn_refuses_production_without_a_secret_key(live_home, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    cmd = [*GUNICORN, "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "dashboard.app:server"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=_env(live_home, TOWNPERF_PRODUCTION="1"),
            stdout=out,
            stderr=out,
        )
    try:
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code != 0
    assert "TOWNPERF_SECRET_KEY must be set in production mode" in log.read_text()
