"""Page furniture shared by the pages: header, section titles, chart cards, notices."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
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
    figure: go.Figure,
    grid: Component,
    lang: str,
    note: str | None = None,
) -> dbc.Card:
    """A chart with its data table one tab away, so every chart has a table alternative."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG)
    return tabbed_card(graph, grid, lang, note)


def tabbed_card(
    main: Component,
    grid: Component,
    lang: str,
    note: str | None = None,
    main_label_key: str = "tab.chart",
) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Tabs(
                    [
                        dbc.Tab(main, label=t(main_label_key, lang), tab_id="main"),
                        dbc.Tab(
                            html.Div(grid, className="pt-2"),
                            label=t("tab.table", lang),
                            tab_id="table",
                        ),
                    ],
                    active_tab="main",
                    class_name="chart-tabs",
                ),
                html.Div(note, className="chart-note") if note else None,
            ]
        ),
        class_name="chart-card h-100",
    )


def warehouse_missing(lang: str) -> dbc.Alert:
    return dbc.Alert(
        [html.H4(t("empty.warehouse.title", lang)), html.P(t("empty.warehouse.body", lang))],
        color="secondary",
        class_name="mt-4",
    )
