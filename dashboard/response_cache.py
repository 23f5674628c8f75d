"""Answers to Dash callbacks, kept until the warehouse changes.

What a read-only page's callback answers is a function of the request body, who asks (role,
own staff id, own office), the language, the day and the warehouse file, which changes only
when a refresh swaps a new one in. So its serialized answer is kept under a key made of all of
those, and the same request again is answered without rebuilding figures and grids: under many
clients, most requests are repeats.

Access is checked first: auth's `before_request` runs before this one, so a kept answer is only
given to a request that passed the same check. Views of personal data stay audited on every
request, answered from here or not: the audit entries a callback wrote are kept with its answer
and written again, for the person asking, on every hit. Pages that change state (admin) or show
the app's own files (data status) are never kept.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import flask

from dashboard.auth import callback_pages, is_callback_request, viewer
from dashboard.context import warehouse_path
from dashboard.i18n import current_lang
from warehouse.queries import WarehouseUnavailable, _file_identity, cache

# Pages whose callbacks only read the warehouse (and audit).
CACHEABLE_PAGES = frozenset(
    {"overview", "rankings", "people", "results", "me", "public", "methodology"}
)
MAX_BYTES = 4 * 1024 * 1024  # exports and other large answers are rebuilt, not kept
HEADER = "X-Townperf-Cache"


def _page_of_path(pathname: object) -> str | None:
    """The page prefix the router renders for a pathname ("/" is the overview)."""
    if not isinstance(pathname, str):
        return None
    first = pathname.strip("/").split("/", 1)[0]
    return first or "overview"


def _pages(body: dict) -> set[str] | None:
    pages = callback_pages(body)
    if pages is None:
        return None
    if "_shell" in pages:
        # the page router: the page is the one its pathname names
        paths = [
            i.get("value")
            for i in body.get("inputs", [])
            if isinstance(i, dict) and i.get("property") == "pathname"
        ]
        pages = (pages - {"_shell"}) | {_page_of_path(p) for p in paths}
        if not paths:
            return None
    return pages


def _key(body: bytes, parsed: dict) -> str | None:
    if not is_callback_request():
        return None
    pages = _pages(parsed)
    if not pages or not pages <= CACHEABLE_PAGES:
        return None
    try:
        identity = _file_identity(warehouse_path())
    except WarehouseUnavailable:
        return None
    who = viewer()
    parts = [
        identity,
        who.role,
        who.staff_id or "",
        who.office or "",
        current_lang(),
        date.today().isoformat(),
        flask.request.script_root,
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode())
    digest.update(b"\x1e")
    digest.update(body)
    return "dash-answer:" + digest.hexdigest()


def _lookup():
    raw = flask.request.get_data(cache=True)
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return None
    key = _key(raw, parsed if isinstance(parsed, dict) else {})
    if key is None:
        return None
    flask.g.answer_key = key
    flask.g.audit_entries = []
    kept = cache.get(key)
    if kept is None:
        return None
    payload, mimetype, audits = kept
    from dashboard.auth import audit_view

    for action, subject, detail in audits:
        audit_view(action, subject, detail)
    flask.g.answer_key = None  # already kept
    response = flask.Response(payload, mimetype=mimetype)
    response.headers[HEADER] = "hit"
    return response


def _keep(response: flask.Response) -> flask.Response:
    key = flask.g.pop("answer_key", None)
    if not key or response.status_code != 200 or response.direct_passthrough:
        return response
    payload = response.get_data()
    if (
        len(payload) > MAX_BYTES
        or response.headers.get("Set-Cookie")
        or response.headers.get("Content-Encoding")
    ):
        return response
    cache.set(key, (payload, response.mimetype, list(flask.g.get("audit_entries", []))))
    response.headers[HEADER] = "miss"
    return response


def record_audit(action: str, subject: str | None, detail: str | None) -> None:
    """Called by `audit_view`: remember the entry so that a kept answer replays it."""
    entries = flask.g.get("audit_entries") if flask.has_request_context() else None
    if entries is not None:
        entries.append((action, subject, detail))


def init_response_cache(server: flask.Flask) -> None:
    """Register after `init_auth` (its access check must run first) and `init_cache`."""
    server.before_request(_lookup)
    server.after_request(_keep)
