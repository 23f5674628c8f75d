"""Page furniture shared by the pages: header, section titles, chart cards, notices."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboard.i18n import t

GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "zoom2d", "pan2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def page_header(title: str, subtitle: str, aside: Component | None = None) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.H1(title, className="page-title"), html.P(subtitle, className="page-lead")]
            ),
            html.Div(aside, className="page-aside") if aside is not None else None,
        ],
        className="page-header",
    )


def section_title(title: str, detail_id: str | None = None, detail: str = "") -> html.H2:
    parts: list = [html.Span(title)]
    if detail_id is not None:
        parts.append(html.Span(detail, id=detail_id, className="section-detail"))
    return html.H2(parts, className="section-title")


def chart_card(
    graph_id: str,
    figure: dict | go.Figure,
    grid: Component,
    lang: str,
    note: str | None = None,
) -> dbc.Card:
    """A chart with its data table one tab away, so every chart has a table alternative."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG)
    return tabbed_card(graph, grid, lang, note)


# Pages whose chart cards mount their table only when its tab is opened (`lazy_tables`).
_LAZY_PAGES: set[str] = set()

_SHOW_TABLE = """
function (activeTab, table) {
    return activeTab === "table" ? table : window.dash_clientside.no_update;
}
"""


def lazy_tables(page: str) -> None:
    """Let the chart cards of `page` mount their table when its tab is first opened.

    dbc.Tabs mounts every pane, so every page load created an AG Grid for each hidden table
    (four on /results, three on /public) that few readers open. The table now travels with the
    page as the data of a store, and a clientside callback puts it in its pane when the tab is
    opened: the browser holds exactly what it held before, sent under the same role check as
    the page's layout or callback, and opening the tab asks the server nothing. Call it once in
    the page module (Dash runs page modules afresh for every app; callbacks are declared there).
    """
    dash.clientside_callback(
        _SHOW_TABLE,
        Output(table_id(page, "pane", MATCH), "children"),
        Input(table_id(page, "tabs", MATCH), "active_tab"),
        State(table_id(page, "data", MATCH), "data"),
        prevent_initial_call=True,
    )
    _LAZY_PAGES.add(page)


def table_id(page: str, part: str, key: object) -> dict:
    """The pattern-matching id of a part ("tabs", "data", "pane") of a chart card's table; its
    type starts with the page's prefix, as every id of a page does (the access rule reads it)."""
    return {"type": f"{page}-table-{part}", "index": key}


def tabbed_card(
    main: Component,
    grid: Component,
    lang: str,
    note: str | None = None,
    main_label_key: str = "tab.chart",
) -> dbc.Card:
    """`main` with `grid` one tab away; the grid mounts when its tab is opened on pages that
    asked for it (`lazy_tables`), so a page loads no grid nobody looks at."""
    key = getattr(grid, "id", None)
    page = key.split("-", 1)[0] if isinstance(key, str) else None
    if page in _LAZY_PAGES:
        table: Component = html.Div(
            [
                dcc.Store(id=table_id(page, "data", key), data=grid.to_plotly_json()),
                html.Div(id=table_id(page, "pane", key), className="pt-2"),
            ]
        )
        tabs_id: dict | None = table_id(page, "tabs", key)
    else:
        table, tabs_id = html.Div(grid, className="pt-2"), None
    tabs = dbc.Tabs(
        [
            dbc.Tab(main, label=t(main_label_key, lang), tab_id="main"),
            dbc.Tab(table, label=t("tab.table", lang), tab_id="table"),
        ],
        active_tab="main",
        class_name="chart-tabs",
        **({"id": tabs_id} if tabs_id else {}),
    )
    return dbc.Card(
        dbc.CardBody([tabs, html.Div(note, className="chart-note") if note else None]),
        class_name="chart-card h-100",
    )


def warehouse_missing(lang: str) -> dbc.Alert:
    return dbc.Alert(
        [html.H4(t("empty.warehouse.title", lang)), html.P(t("empty.warehouse.body", lang))],
        color="secondary",
        class_name="mt-4",
    )
