"""Create the dashboard: a Dash Pages app with a navbar, a language switch and the page container.

`create_app(settings)` is what `townperf serve` and the tests call. For gunicorn,
`dashboard.app:server` builds an app from the environment's settings on first access.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import _callback, html
from werkzeug.serving import WSGIRequestHandler

from dashboard.auth import init_auth, may_see, viewer
from dashboard.context import SETTINGS_KEY, init_request_session
from dashboard.data_docs import init_data_docs
from dashboard.i18n import LANGS, current_lang, register_language_route, t
from dashboard.response_cache import init_response_cache
from townperf.settings import Settings, get_settings
from warehouse.queries import init_cache

PACKAGE_DIR = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or get_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(PACKAGE_DIR / "assets"),
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN on an intranet
        # Page layouts read the warehouse; don't build every page to validate callbacks.
        suppress_callback_exceptions=True,
        title=t("app.title", "zh"),
        update_title=None,
    )
    _claim_page_callbacks(app)
    server = app.server
    server.config[SETTINGS_KEY] = settings
    init_auth(server, settings)
    init_data_docs(server, settings)
    init_cache(server, _cache_config(settings))
    init_response_cache(server)
    init_request_session(server)
    register_language_route(server, app.config.routes_pathname_prefix)
    app.layout = _layout
    return app


class NoBannerRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler (`townperf serve`) without the `Server: Werkzeug/x Python/y`
    header it adds below the app: a banner only tells a scanner which exploits to try."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


def _claim_page_callbacks(app: dash.Dash) -> None:
    """Give the callbacks of the page modules just executed to this app, and to it alone.

    Dash runs the page modules afresh for every app, and `dash.callback` parks their callbacks
    in module-level lists that the first app to serve a request takes. With several apps in one
    process (tests, `townperf serve` after an import), that would hand one app's callbacks to
    another, or twice to the same one.
    """
    app.callback_map.update(_callback.GLOBAL_CALLBACK_MAP)
    app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)
    app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


def _cache_config(settings: Settings) -> dict[str, Any]:
    """One cache per process in development; shared on disk by gunicorn's workers in production."""
    if settings.production:
        return {
            "CACHE_TYPE": "dashboard.file_cache.SharedFileCache",
            "CACHE_DIR": str(settings.root / "cache"),
            "CACHE_THRESHOLD": 20000,
        }
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000}


def _layout() -> html.Div:
    lang = current_lang()
    return html.Div(
        [
            navbar(lang),
            dbc.Container(dash.page_container, fluid="xl", class_name="page-body"),
        ],
        lang="zh-CN" if lang == "zh" else "en",
    )


def navbar(lang: str) -> dbc.Navbar:
    who = viewer()
    pages = [
        page
        for page in dash.page_registry.values()
        if not page.get("hidden") and may_see(page_key(page), who)
    ]
    links = [
        dbc.NavItem(
            dbc.NavLink(
                t(page["label_key"], lang) if page.get("label_key") else page["name"],
                href=page["relative_path"],
                active="exact",
            )
        )
        for page in sorted(pages, key=lambda page: page.get("order") or 0)
    ]
    switch = html.Div(
        [
            html.A(
                t(f"lang.{code}", lang),
                href=dash.get_relative_path(f"/lang/{code}"),
                className="lang-link active" if code == lang else "lang-link",
                lang="zh-CN" if code == "zh" else "en",
                id=f"lang-{code}",
            )
            for code in LANGS
        ],
        className="lang-switch",
        title=t("lang.switch", lang),
    )
    if who.is_public:
        account = html.A(
            t("auth.login", lang), href="/login", className="account-link", id="navbar-login"
        )
    else:
        account = html.Span(
            [
                html.Span(who.username, className="account-name", id="navbar-user"),
                html.A(
                    t("auth.logout", lang),
                    href="/logout",
                    className="account-link",
                    id="navbar-logout",
                ),
            ],
            className="account",
        )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(t("app.brand", lang), href=dash.get_relative_path("/")),
                dbc.Nav(links, navbar=True, class_name="me-auto"),
                switch,
                account,
            ],
            fluid="xl",
        ),
        color="primary",
        dark=True,
        class_name="townperf-navbar",
    )


def page_key(page: dict) -> str:
    """The access-policy key of a registered page (its module's last name, e.g. "rankings")."""
    return page.get("auth_page") or page["module"].rsplit(".", 1)[-1]


def __getattr__(name: str) -> Any:
    """`dashboard.app:server` for gunicorn, built on first access, not at import (so in each
    worker, where the warm-up thread of dashboard.warmup then runs)."""
    if name in ("app", "server"):
        from dashboard.warmup import BOOT_WAIT_S, start_warmup

        app = create_app()
        start_warmup(app.server, wait_s=BOOT_WAIT_S)
        globals().update(app=app, server=app.server)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
