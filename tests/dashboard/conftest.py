"""Fixtures of the dashboard tests: one app on the session's built warehouse, and rendering."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from types import ModuleType

import dash
import pytest
from dash.development.base_component import Component

from dashboard.app import create_app
from dashboard.i18n import COOKIE
from tests.helpers import signed_in
from townperf.settings import get_settings


@pytest.fixture(scope="session")
def dashboard_app(built_home) -> dash.Dash:
    return create_app(get_settings(built_home))


@pytest.fixture(scope="session")
def overview_page(dashboard_app) -> ModuleType:
    return page_module("/")


def page_module(path: str) -> ModuleType:
    """The module Dash executed for the page at `path` (Dash names it, not the import system)."""
    page = next(page for page in dash.page_registry.values() if page["path"] == path)
    return sys.modules[page["module"]]


@pytest.fixture()
def in_request(dashboard_app):
    """`with in_request(lang):` runs code as a request of the app in that language would."""

    @contextlib.contextmanager
    def enter(lang: str = "zh", role: str = "leader", staff_id=None, office=None):
        with dashboard_app.server.test_request_context("/", headers={"Cookie": f"{COOKIE}={lang}"}):
            if role == "public":
                yield
            else:
                with signed_in(role, staff_id, office):
                    yield

    return enter


@pytest.fixture(scope="session")
def texts():
    """`texts(layout)`: every string shown in a layout tree, in order."""
    return _texts


def _walk(component: object) -> Iterator[object]:
    """Every component and string in a layout tree, depth first."""
    yield component
    if isinstance(component, Component):
        children = getattr(component, "children", None)
        items = children if isinstance(children, list | tuple) else [children]
        for child in items:
            if child is not None:
                yield from _walk(child)


def _texts(component: object) -> list[str]:
    return [node for node in _walk(component) if isinstance(node, str)]
