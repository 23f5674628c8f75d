"""What a layout or callback needs to know about the app serving it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import flask

from dashboard.auth import is_callback_request, viewer
from townperf.settings import Settings
from warehouse import queries
from warehouse.scope import Asker

SETTINGS_KEY = "TOWNPERF_SETTINGS"


def current_settings() -> Settings:
    return flask.current_app.config[SETTINGS_KEY]


def warehouse_path() -> Path:
    return current_settings().warehouse_path


def asker() -> Asker:
    """The signed-in user as the warehouse's person queries take them (from the session,
    never from the browser): role, own staff id and own office."""
    who = viewer()
    return Asker(who.role, who.staff_id, who.office)


def _open_session():
    if is_callback_request():
        stack = contextlib.ExitStack()
        stack.enter_context(queries.session(warehouse_path()))
        flask.g.warehouse_session = stack


def _close_session(_exc: BaseException | None) -> None:
    stack = flask.g.pop("warehouse_session", None)
    if stack is not None:
        stack.close()


def init_request_session(server: flask.Flask) -> None:
    """Each callback request reads the warehouse through one connection, opened at its first
    query that is not memoized and closed when the request ends (attaching the file costs
    ~20 ms at county scale, and a page makes several queries). Register after the access check
    and the answer cache, so refused and cached requests open nothing."""
    server.before_request(_open_session)
    server.teardown_request(_close_session)
