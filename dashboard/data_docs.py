"""Serve the great-expectations Data Docs of the latest runs (`<home>/data_docs/<run>/`) to the
people who may see the data-status page, at `/data-docs/<run>/<path>`.

Access follows `PAGE_ROLES["data"]`: a visitor who is not signed in is sent to the login page
(and back here after it), a signed-in one without the role gets 403. Files are looked up with
`send_from_directory` (werkzeug's `safe_join`), so no path leaves the run's folder. The pages
hold no script (see `ingest.offline_docs`) and are served with a policy that runs none, as
they show values straight from the export files; each page viewed is written to the audit log.
"""

from __future__ import annotations

from urllib.parse import quote

import flask

from dashboard.auth import audit_view, may_see, viewer
from townperf import datadocs
from townperf.settings import Settings

PAGE = "data"
PREFIX = "/data-docs"
# Stricter than the app's policy: Data Docs pages never need a script, a form or a frame.
DOCS_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def docs_url(run: str, sub: str = "index.html") -> str:
    return f"{PREFIX}/{run}/{sub}"


def init_data_docs(server: flask.Flask, settings: Settings) -> None:
    def serve(run: str, sub: str):
        who = viewer()
        if not may_see(PAGE, who):
            if who.is_public:
                return flask.redirect("/login?next=" + quote(flask.request.path))
            flask.abort(403)
        if not datadocs.NAME.fullmatch(run):
            flask.abort(404)
        response = flask.send_from_directory(settings.data_docs / run, sub)
        if sub.endswith(".html"):
            # the pages show cells of the exports as they came, the failing ones included
            audit_view("view_data_docs", None, f"{run}/{sub}")
        response.headers["Content-Security-Policy"] = DOCS_POLICY
        return response

    @server.route(f"{PREFIX}/<run>/")
    def data_docs_index(run: str):
        return serve(run, "index.html")

    @server.route(f"{PREFIX}/<run>/<path:sub>")
    def data_docs(run: str, sub: str):
        return serve(run, sub)
