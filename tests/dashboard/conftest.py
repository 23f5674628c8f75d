"""Fixtures of the dashboard tests: one app on the session's built warehouse, and rendering."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import dash
import dash_ag_grid as dag
import pytest
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.app import create_app
from dashboard.components.layout import table_id
from dashboard.i18n import COOKIE
from tests.helpers import signed_in
from townperf.settings import get_settings
from warehouse import queries


@pytest.fixture(scope="session")
def dashboard_app(built_home) -> dash.Dash:
    return create_app(get_settings(built_home))


@pytest.fixture(scope="session")
def overview_page(dashboard_app) -> ModuleType:
    return page_module("/")


def reads_the_warehouse(path, render: Callable[[], object]) -> bool:
    """Whether `render()` had to open the warehouse at `path` (some query was not memoized):
    its queries share one session, which opens a connection only for a read not memoized."""
    with queries.session(path):
        render()
        return queries._session.get().con is not None


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


# The component libraries of the tables a chart card keeps for its 数据表 tab, by namespace.
_LIBRARIES = {"dash_ag_grid": dag, "dash_html_components": html, "dash_core_components": dcc}


def mounted(data: dict) -> Component:
    """The component a store's layout JSON describes, as the browser mounts it."""
    return getattr(_LIBRARIES[data["namespace"]], data["type"])(**data["props"])


def stored_tables(layout: object) -> list[Component]:
    """Every table a chart card of `layout` keeps for its 数据表 tab: sent with the page in a
    store, mounted in the tab's pane only once the tab is opened (`layout.lazy_tables`)."""
    return [
        mounted(node.data)
        for node in _walk(layout)
        if isinstance(node, dcc.Store)
        and isinstance(node.id, dict)
        and str(node.id.get("type", "")).endswith("-table-data")
    ]


def tabbed_table(layout: object, grid_id: str) -> Component:
    """The table `grid_id` behind its chart card's 数据表 tab, as opening the tab mounts it."""
    wanted = table_id(grid_id.split("-", 1)[0], "data", grid_id)
    for node in _walk(layout):
        if isinstance(node, dcc.Store) and node.id == wanted:
            return mounted(node.data)
    raise KeyError(grid_id)
