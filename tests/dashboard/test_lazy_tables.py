"""The table behind a chart's 数据表 tab is not mounted with the page (every hidden AG Grid was
created on each page load): it travels with the page in a store and is mounted, with the
chart's figures, when its tab is opened — by a clientside callback, so the server is asked
nothing. In a real browser: tests/dashboard/test_results_browser.py."""

from __future__ import annotations

import json

import dash_ag_grid as dag
import pandas as pd
import pytest

from dashboard.components.layout import tabbed_card, table_id
from tests.dashboard.conftest import _walk, page_module, stored_tables, tabbed_table
from townperf import users

TABBED = {
    "/results": (
        "results-crosstab-grid",
        "results-consequences-grid",
        "results-lag-grid",
        "results-pay-grid",
    ),
    "/": ("overview-office-grid", "overview-service-grid", "overview-indicators-grid"),
    "/rankings": ("rankings-histogram-grid",),
    "/public": ("public-trend-grid-0", "public-trend-grid-1", "public-trend-grid-2"),
}


def _ids(layout) -> set[str]:
    return {
        json.dumps(node.id, sort_keys=True) for node in _walk(layout) if getattr(node, "id", None)
    }


def _figure(layout, graph_id: str):
    return next(node for node in _walk(layout) if getattr(node, "id", None) == graph_id).figure


@pytest.mark.parametrize("path", list(TABBED))
def test_a_pages_chart_tables_are_sent_but_not_mounted(dashboard_app, in_request, path):
    role = "public" if path == "/public" else "leader"
    with in_request("zh", role):
        layout = page_module(path).layout()
    mounted = _ids(layout)
    page = TABBED[path][0].split("-", 1)[0]
    for grid_id in TABBED[path]:
        assert json.dumps(grid_id) not in mounted, grid_id
        for part in ("tabs", "data", "pane"):
            assert json.dumps(table_id(page, part, grid_id), sort_keys=True) in mounted
        table = tabbed_table(layout, grid_id)
        assert isinstance(table, dag.AgGrid) and table.id == grid_id and table.columnDefs
    assert {t.id for t in stored_tables(layout)} == set(TABBED[path])
    # the table tab's pane starts empty; the tab that shows is the chart's
    for node in _walk(layout):
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict) and node_id["type"] == f"{page}-table-pane":
            assert not node.children
        if isinstance(node_id, dict) and node_id["type"] == f"{page}-table-tabs":
            assert node.active_tab == "main"


def test_opening_the_tab_mounts_the_stored_table_without_asking_the_server(dashboard_app):
    """What the browser is told: a clientside function puts the table's store into its pane
    when the tab becomes active; no server callback answers for the pane."""
    dependencies = dashboard_app.server.test_client().get("/_dash-dependencies").get_json()
    for page in ("results", "overview", "rankings", "people", "public"):
        pane = json.dumps(table_id(page, "pane", ["MATCH"]), separators=(",", ":"), sort_keys=True)
        [spec] = [d for d in dependencies if d["output"] == f"{pane}.children"]
        assert spec["clientside_function"], "opening a tab sends no request"
        assert dashboard_app.callback_map[f"{pane}.children"].get("callback") is None
        [tabs] = spec["inputs"]
        assert tabs["property"] == "active_tab"
        assert json.loads(tabs["id"]) == table_id(page, "tabs", ["MATCH"])
        [data] = spec["state"]
        assert (json.loads(data["id"]), data["property"]) == (
            table_id(page, "data", ["MATCH"]),
            "data",
        )
        assert spec["prevent_initial_call"]
    name = spec["clientside_function"]["function_name"]
    [script] = {s for s in dashboard_app._inline_scripts if name in s}
    assert 'activeTab === "table" ? table : window.dash_clientside.no_update' in script


def test_the_results_tables_hold_the_figures_of_their_charts(dashboard_app, in_request):
    with in_request("zh", "leader"):
        layout = page_module("/results").layout()
    # days to application: one row per band, the bar's count
    [bars] = _figure(layout, "results-lag-graph").data
    bands = tabbed_table(layout, "results-lag-grid").rowData
    assert [(r["label"], r["decisions"]) for r in bands] == list(
        zip(bars.customdata, bars.y, strict=True)
    )
    assert sum(r["decisions"] for r in bands) > 0
    # consequences: people as the rule requires and not, per bar
    ok, wrong = _figure(layout, "results-consequences-graph").data
    rows = tabbed_table(layout, "results-consequences-grid").rowData
    assert {r["label"]: r["ok"] for r in rows} == dict(zip(ok.y, ok.x, strict=True))
    assert {r["label"]: r["wrong"] for r in rows} == dict(zip(wrong.y, wrong.x, strict=True))
    # pay against score: the scatter's points are the table's people with both figures
    points = sorted(
        (x, y)
        for trace in _figure(layout, "results-pay-graph").data
        if trace.mode == "markers"  # not the least-squares line
        for x, y in zip(trace.x, trace.y, strict=True)
    )
    people = pd.DataFrame(tabbed_table(layout, "results-pay-grid").rowData)
    both = people.dropna(subset=["composite_score", "amount"])
    assert points == sorted(zip(both["composite_score"], both["amount"], strict=True))
    assert points


def test_a_page_that_did_not_ask_keeps_its_table_mounted(dashboard_app, in_request):
    """A page module that never called `lazy_tables` has no callback to mount a stored table:
    its cards keep the table in the tab, as before."""
    grid = dag.AgGrid(id="nopage-some-grid", rowData=[{"a": 1}], columnDefs=[{"field": "a"}])
    with in_request("zh"):
        card = tabbed_card(dag.AgGrid(id="nopage-main"), grid, "zh")
    assert grid in list(_walk(card))
    assert not stored_tables(card)


def _post_pane(client, page: str, grid_id: str):
    """A request a browser never makes: the table pane posted as if it had a server callback."""
    pane = json.dumps(table_id(page, "pane", grid_id), separators=(",", ":"), sort_keys=True)
    tabs = table_id(page, "tabs", grid_id)
    return client.post(
        "/_dash-update-component",
        json={
            "output": f"{pane}.children",
            "outputs": {"id": table_id(page, "pane", grid_id), "property": "children"},
            "inputs": [{"id": tabs, "property": "active_tab", "value": "table"}],
            "changedPropIds": [f"{json.dumps(tabs, sort_keys=True)}.active_tab"],
        },
    )


def test_the_table_ids_fall_under_their_pages_access_rule(dashboard_app, built_home):
    """The panes are filled in the browser, but their ids carry the page's prefix: a request
    naming one is refused to whoever may not use that page, before anything runs."""
    anonymous = dashboard_app.server.test_client()
    for page, grid_id in (("results", "results-lag-grid"), ("overview", "overview-office-grid")):
        assert _post_pane(anonymous, page, grid_id).status_code == 401, page
    users.add_user(built_home, "lazy-staff", "lazy-password-1", "staff", staff_id="G0001")
    staff = dashboard_app.server.test_client()
    signed = staff.post("/login", data={"username": "lazy-staff", "password": "lazy-password-1"})
    assert signed.status_code == 302
    for page, grid_id in (("results", "results-lag-grid"), ("rankings", "rankings-histogram-grid")):
        assert _post_pane(staff, page, grid_id).status_code == 403, page
