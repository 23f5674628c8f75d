"""Pieces of the report pages: the names they translate (actions, feedback kinds, sources,
statuses, settings), graphs that keep their height, and grids that fit half a page.

Values stored in Chinese or as codes in the warehouse are shown through the label table; an
unknown value is shown as it is rather than as a missing-label key.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc
from dash.development.base_component import Component

from dashboard.components.formatting import is_missing
from dashboard.components.layout import GRAPH_CONFIG, tabbed_card
from dashboard.i18n import t


def _named(prefix: str, value: object, lang: str, missing: str = "—") -> str:
    if is_missing(value) or value in (None, ""):
        return missing
    key = f"{prefix}.{value}"
    text = t(key, lang)
    return str(value) if text == key else text


def action_name(action: object, lang: str) -> str:
    """A result-utilization action (绩效奖金, 嘉奖, …) in `lang`."""
    return _named("action", action, lang, t("results.action.none", lang))


def kind_name(kind: object, lang: str) -> str:
    """A feedback kind (绩效面谈, 复核申请, 申诉) in `lang`."""
    return _named("feedback_kind", kind, lang)


def source_name(source: object, lang: str) -> str:
    """A source of exports (approvals, tickets, …) in `lang`."""
    return _named("source", source, lang)


def status_name(status: object, lang: str) -> str:
    """A refresh, dbt or file status (success, loaded, refused, …) in `lang`."""
    return _named("status", status, lang)


def setting_text(value: object, unit: object, lang: str) -> str:
    """A setting's value as read: shares in per cent, whole numbers without decimals, with the
    unit of the settings seed (days, working days, hours, …) in `lang`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN
        return "—"
    if unit == "share":
        return f"{number * 100:g}%"
    unit_text = _named("setting_unit", unit, lang, "") if unit else ""
    if not unit_text:
        return f"{number:g}"
    return f"{number:g}{unit_text}" if lang == "zh" else f"{number:g} {unit_text}"


def graph(graph_id: str, figure: go.Figure, modebar: bool = False) -> dcc.Graph:
    """A graph as tall as its figure says, whatever the height of the card around it (a
    responsive graph otherwise stretches to fill a card made as tall as its neighbour)."""
    height = figure.layout.height or 400
    config = GRAPH_CONFIG if modebar else {"displayModeBar": False, "responsive": True}
    return dcc.Graph(id=graph_id, figure=figure, config=config, style={"height": f"{height}px"})


def chart_with_table(
    graph_id: str, figure: go.Figure, grid: Component, lang: str, note: str | None = None
) -> dbc.Card:
    """`layout.chart_card` with a graph that keeps its own height."""
    return tabbed_card(graph(graph_id, figure, modebar=True), grid, lang, note)


def compact(
    grid: dag.AgGrid,
    wrap: tuple[str, ...] = (),
    widths: dict[str, int] | None = None,
    tooltips: tuple[str, ...] = (),
) -> dag.AgGrid:
    """Let a grid's columns shrink (text to 90 px, numbers to 70, or `widths`) so a card of half
    the page shows every column; `wrap` columns wrap their text onto more lines instead of
    cutting it, `tooltips` columns show their whole text on hover."""
    for spec in grid.columnDefs:
        field = spec["field"]
        spec["minWidth"] = (widths or {}).get(field, 90 if "type" not in spec else 70)
        if field in wrap:
            spec |= {"wrapText": True, "autoHeight": True, "minWidth": max(spec["minWidth"], 140)}
            spec["cellStyle"] = {"lineHeight": "1.4", "paddingTop": "6px", "paddingBottom": "6px"}
        if field in tooltips:
            spec["tooltipField"] = field
    if tooltips:
        grid.dashGridOptions = {**grid.dashGridOptions, "tooltipShowDelay": 300}
    return grid
