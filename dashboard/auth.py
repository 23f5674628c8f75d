"""Who may see what, enforced on the server.

Three layers, each enough on its own for what it covers:
- every Dash callback request is checked in `before_request` against the page its output ids
  belong to (ids carry the page's prefix, e.g. `rankings-table`), so posting to
  `/_dash-update-component` directly gains nothing;
- every page layout is wrapped by `guard_layout`, which renders a login prompt or a refusal;
- the person a query is about comes from `viewer()` (the session), never from the browser.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import urlparse

import flask
import flask_login
from dash import html

from townperf import users
from townperf.settings import Settings

PUBLIC = "public"
ALL_SIGNED_IN = frozenset(users.ROLES)

# Page prefix (component ids start with it) -> roles that may use it. One table, no exceptions.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overview": frozenset({"leader", "hr", "office_head", "admin"}),
    "rankings": frozenset({"leader", "hr", "office_head"}),
    "people": frozenset({"leader", "hr", "office_head"}),
    "results": frozenset({"leader", "hr"}),
    "me": frozenset({"staff", "office_head", "hr", "leader"}),
    "data": frozenset({"admin", "leader"}),
    "admin": frozenset({"admin"}),
    "public": frozenset({PUBLIC, *users.ROLES}),
    "methodology": frozenset({PUBLIC, *users.ROLES}),
    "login": frozenset({PUBLIC, *users.ROLES}),
}
# Components of the shell (navbar, page container) that every visitor's browser updates.
SHELL_IDS = frozenset({"_pages_content", "_pages_store", "_pages_dummy", "_pages_location"})

# Failed sign-ins allowed within the window: per name from one address (guessing one
# password), and per address over all names (trying a few passwords on many names). Behind a
# reverse proxy every client has the proxy's address, so the second limit is generous.
LOGIN_WINDOW = timedelta(minutes=5)
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20


@dataclass(frozen=True)
class Viewer:
    """The person asking; role "public" when nobody is signed in."""

    username: str | None
    role: str
    staff_id: str | None = None
    office: str | None = None

    @property
    def is_public(self) -> bool:
        return self.role == PUBLIC


class _SessionUser(flask_login.UserMixin):
    def __init__(self, user: users.User):
        self.user = user

    def get_id(self) -> str:
        return self.user.username


def viewer() -> Viewer:
    current = flask_login.current_user
    if current and current.is_authenticated:
        u = current.user
        return Viewer(u.username, u.role, u.staff_id, u.office)
    return Viewer(None, PUBLIC)


def may_see(page: str, who: Viewer | None = None) -> bool:
    who = who or viewer()
    return who.role in PAGE_ROLES.get(page, frozenset())


def refuse_unless(page: str) -> None:
    """Abort a callback that changes state unless the viewer may use `page`: the same rule as
    the access check before every callback, asked again where a mistake would cost most."""
    who = viewer()
    if not may_see(page, who):
        flask.abort(401 if who.is_public else 403)


def guard_layout(page: str) -> Callable:
    """Wrap a page's `layout` function: render it only for roles allowed on that page."""

    def decorate(layout: Callable) -> Callable:
        @wraps(layout)
        def guarded(*args, **kwargs):
            if may_see(page):
                return layout(*args, **kwargs)
            return refusal(viewer())

        return guarded

    return decorate


def refusal(who: Viewer):
    from dashboard.i18n import current_lang, t

    lang = current_lang()
    if who.is_public:
        return html.Div(
            [
                html.H3(t("auth.login_required", lang)),
                html.A(t("auth.login", lang), href="/login", className="btn btn-primary"),
                html.P(
                    [
                        t("auth.public_note", lang) + ": ",
                        html.A(t("page.public", lang), href="/public"),
                        " · ",
                        html.A(t("page.methodology", lang), href="/methodology"),
                    ],
                    className="text-muted mt-4",
                ),
            ],
            className="auth-refusal",
            id="auth-refusal",
        )
    return html.Div(html.H3(t("auth.forbidden", lang)), className="auth-refusal", id="auth-refusal")


def callback_pages(body: dict) -> set[str] | None:
    """The page prefixes of a Dash callback request's outputs; None when it can't be parsed."""
    output = body.get("output")
    if not isinstance(output, str):
        return None
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    pages = set()
    for part in parts:
        component = part.rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                return None
        if component in SHELL_IDS:
            pages.add("_shell")
            continue
        pages.add(component.split("-", 1)[0])
    return pages


def is_callback_request() -> bool:
    """Is the request being served a Dash callback (a POST to `/_dash-update-component`)?"""
    return flask.request.method == "POST" and flask.request.path.endswith("/_dash-update-component")


def _check_callback():
    if not is_callback_request():
        return None
    body = flask.request.get_json(silent=True) or {}
    pages = callback_pages(body)
    if pages is None:
        flask.abort(400)
    who = viewer()
    for page in pages - {"_shell"}:
        if not may_see(page, who):
            flask.abort(403 if not who.is_public else 401)
    return None


def _security_headers(response: flask.Response) -> flask.Response:
    headers = response.headers
    # Dash renders with inline scripts and eval'd callbacks; everything else comes from here.
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    )
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers.pop("Server", None)
    return response


class MissingSecretKey(RuntimeError):
    """Production mode was asked for without `TOWNPERF_SECRET_KEY`: the dashboard won't start."""


def secret_key(settings: Settings) -> str:
    """The session signing key: from settings, or kept in the data home in development.

    Production refuses to start without one, so a default key can never sign real sessions.
    """
    if settings.secret_key:
        return settings.secret_key
    if settings.production:
        raise MissingSecretKey("TOWNPERF_SECRET_KEY must be set in production mode")
    path = Path(settings.root) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        return "/"
    return target


def _address_key() -> str:
    """The start of every failure key from the client's address (see `_client_key`)."""
    return f"{flask.request.remote_addr}|"


def _client_key(username: str) -> str:
    return f"{_address_key()}{username.lower()}"


def _throttled(home: Path, username: str) -> str | None:
    """Why sign-ins are refused now ("name" or "address"), or None. A success clears only its
    own name's failures, so one valid account does not reset an address's count."""
    if users.recent_failures(home, _client_key(username), LOGIN_WINDOW) >= LOGIN_MAX_FAILURES:
        return "name"
    tried = users.recent_failures(home, _address_key(), LOGIN_WINDOW, prefix=True)
    if tried >= LOGIN_MAX_FAILURES_PER_ADDRESS:
        return "address"
    return None


def init_auth(server: flask.Flask, settings: Settings) -> None:
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    manager = flask_login.LoginManager()
    manager.init_app(server)
    home = Path(settings.root)

    @manager.user_loader
    def load_user(username: str):
        user = users.get_user(home, username)
        return _SessionUser(user) if user else None

    server.before_request(_check_callback)
    server.after_request(_security_headers)

    @server.route("/login", methods=["GET", "POST"])
    def login():
        from dashboard.login_page import render_login

        error = None
        status = 200
        if flask.request.method == "POST":
            username = (flask.request.form.get("username") or "").strip()
            password = flask.request.form.get("password") or ""
            key = _client_key(username)
            throttled = _throttled(home, username)
            if throttled:
                users.audit(home, username, None, "login_throttled", None, f"per {throttled}")
                error, status = "throttled", 429
            else:
                user = users.verify(home, username, password)
                if user is None:
                    users.record_failure(home, key)
                    users.audit(home, username, None, "login_failed")
                    error, status = "invalid", 401
                else:
                    users.clear_failures(home, key)
                    flask.session.clear()
                    flask_login.login_user(_SessionUser(user))
                    flask.session.permanent = True
                    users.audit(home, user.username, user.role, "login")
                    return flask.redirect(_safe_next(flask.request.args.get("next")))
        return render_login(error), status

    @server.route("/logout")
    def logout():
        who = viewer()
        if not who.is_public:
            users.audit(home, who.username, who.role, "logout")
        flask_login.logout_user()
        flask.session.clear()
        return flask.redirect("/public")


def audit_view(action: str, subject: str | None = None, detail: str | None = None) -> None:
    """Record who viewed or exported whose data (called by the pages that show personal data)."""
    from dashboard.context import current_settings
    from dashboard.response_cache import record_audit

    who = viewer()
    users.audit(Path(current_settings().root), who.username, who.role, action, subject, detail)
    record_audit(action, subject, detail)
