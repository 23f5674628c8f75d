"""Figure builders: DataFrames in, Plotly figures out, with titles, units and Chinese fonts.

Every builder takes the language and returns a complete figure: Plotly JSON (what `dcc.Graph`
is sent) for the figures drawn on every page view, built without `go.Figure`, which validates
every property and copies the template (the overview's figures took 40-50 ms that way); an
empty frame gives a figure that says so instead of an empty axis.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.components.formatting import fmt_value, period_label
from dashboard.i18n import t

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# Colour-blind-safe blues and oranges; good/bad also carry an arrow, never colour alone.
COLORS = {
    "primary": "#1d4e89",
    "light": "#9fbfe0",
    "muted": "#8a94a6",
    "grid": "#e6e9ef",
    "text": "#212529",
    "good": "#1a7f37",
    "bad": "#c0392b",
    "approvals": "#1d4e89",
    "tickets": "#3a9bd9",
    "cases": "#e08a1e",
}


# A horizontal legend under the plot, whatever the figure's height.
LEGEND_BOTTOM = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}


def base_layout(title: str, **overrides: object) -> dict:
    layout: dict = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT_FAMILY, "size": 13, "color": COLORS["text"]},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 20, "t": 50, "b": 40},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "separators": ".,",
    }
    layout.update(overrides)
    return layout


def empty_figure(title: str, lang: str) -> go.Figure:
    return go.Figure(empty_figure_json(title, lang))


def empty_figure_json(title: str, lang: str) -> dict:
    """The figure that says a period has no data, as Plotly JSON (what `dcc.Graph` is sent)."""
    axis = {"visible": False}
    layout = base_layout(title, height=260, xaxis=axis, yaxis=axis)
    layout["annotations"] = [
        {
            "text": t("empty.period", lang),
            "showarrow": False,
            "font": {"size": 14, "color": COLORS["muted"]},
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
        }
    ]
    return figure_json([], layout)


@functools.cache
def _template() -> dict:
    return pio.templates[pio.templates.default].to_plotly_json()


def with_template(layout: dict) -> dict:
    """A layout given as JSON, with the template `go.Figure` would have filled in, so a figure
    built as JSON looks the same. On a busy page, building the `go.Figure` (it validates every
    property and copies the template) took longer than the query behind it."""
    return layout | {"template": _template()}


def figure_json(data: list[dict], layout: dict) -> dict:
    """A figure as the Plotly JSON `dcc.Graph` is sent, with the default template
    (`with_template`)."""
    return {"data": data, "layout": with_template(layout)}


def json_numbers(values: Sequence) -> list:
    """Values as JSON numbers, missing ones as null (a gap in a line, no bar)."""
    return [None if v is None or pd.isna(v) else float(v) for v in values]


def sparkline(months: Sequence[date], values: Sequence[float | None], kind: str, lang: str) -> dict:
    """A small trend line without axes or title (the KPI card around it has the title).

    The last point, the month shown on the card, is marked. Plotly JSON, as every figure of
    the overview: six are drawn for each month asked for.
    """
    labels = [period_label("month", m, lang) for m in months]
    texts = [fmt_value(v, kind) for v in values]
    days = [m.isoformat() for m in months]
    numbers = json_numbers(values)
    line: dict = {
        "type": "scatter",
        "x": days,
        "y": numbers,
        "mode": "lines",
        "line": {"color": COLORS["primary"], "width": 2, "shape": "spline", "smoothing": 0.6},
        "fillcolor": "rgba(29, 78, 137, 0.08)",
        "customdata": [list(pair) for pair in zip(labels, texts, strict=True)],
        "hovertemplate": "%{customdata[0]}：%{customdata[1]}<extra></extra>",
        "connectgaps": False,
    }
    if kind == "count":
        line["fill"] = "tozeroy"
    data = [line]
    if days:
        data.append(
            {
                "type": "scatter",
                "x": days[-1:],
                "y": numbers[-1:],
                "mode": "markers",
                "marker": {"color": COLORS["primary"], "size": 7},
                "hoverinfo": "skip",
            }
        )
    yaxis: dict = {"visible": False, "fixedrange": True}
    finite = [v for v in numbers if v is not None]
    if kind != "count" and finite:
        low, high = min(finite), max(finite)
        pad = (high - low) * 0.15 or abs(high) * 0.05 or 1
        yaxis["range"] = [low - pad, high + pad]
    layout = base_layout(
        "",
        height=64,
        margin={"l": 2, "r": 6, "t": 2, "b": 2},
        showlegend=False,
        xaxis={"visible": False, "fixedrange": True},
        yaxis=yaxis,
    )
    return figure_json(data, layout)


def office_scores_figure(offices: pd.DataFrame, title: str, lang: str) -> dict:
    """Horizontal bars of the average composite score per office, best on top.

    `offices` is `warehouse.queries.office_comparison`; the dashed line is the average over
    everyone scored in the town. Plotly JSON (`figure_json`).
    """
    scored = offices.dropna(subset=["avg_composite"])
    if scored.empty:
        return empty_figure_json(title, lang)
    scored = scored.sort_values("avg_composite")
    town_mean = float((scored["avg_composite"] * scored["scored"]).sum() / scored["scored"].sum())
    averages = json_numbers(scored["avg_composite"])
    bar = {
        "type": "bar",
        "x": averages,
        "y": scored["department"].tolist(),
        "orientation": "h",
        "marker": {"color": COLORS["primary"]},
        "text": [fmt_value(v, "score") for v in averages],
        "textposition": "inside",
        "insidetextanchor": "end",
        "textfont": {"color": "white"},
        "customdata": [
            [int(a), int(b)] for a, b in zip(scored["staff"], scored["scored"], strict=True)
        ],
        "hovertemplate": "<b>%{y}</b><br>%{x:.1f} "
        + t("unit.points", lang)
        + "<br>"
        + t("overview.office.hover", lang)
        + "<extra></extra>",
    }
    mean_line = {"xref": "x", "yref": "y domain"}
    layout = base_layout(
        title,
        height=max(260, 44 * len(scored) + 90),
        showlegend=False,
        bargap=0.35,
        shapes=[
            mean_line
            | {
                "type": "line",
                "x0": town_mean,
                "x1": town_mean,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "color": COLORS["bad"], "width": 1.5},
            }
        ],
        annotations=[
            mean_line
            | {
                "x": town_mean,
                "y": 1,
                "text": f"{t('overview.office.town_mean', lang)} {town_mean:.1f}",
                "showarrow": False,
                "xanchor": "center",
                "yanchor": "bottom",
                "font": {"size": 12, "color": COLORS["bad"]},
            }
        ],
        xaxis={
            "title": {"text": t("overview.office.axis", lang)},
            "range": [0, 105],
            "gridcolor": COLORS["grid"],
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis={"automargin": True, "ticksuffix": "  ", "fixedrange": True},
    )
    return figure_json([bar], layout)


SERVICE_VOLUMES = (
    ("approvals_completed", "approvals"),
    ("tickets_closed", "tickets"),
    ("cases_closed", "cases"),
)


def service_volume_figure(service: pd.DataFrame, title: str, lang: str) -> dict:
    """Stacked horizontal bars of the cases each office handled: approvals, tickets, cases.

    `service` is `warehouse.queries.department_service`. Plotly JSON (`figure_json`).
    """
    columns = [metric for metric, _ in SERVICE_VOLUMES]
    present = service.dropna(subset=columns, how="all")
    if present.empty:
        return empty_figure_json(title, lang)
    present = present.assign(total=present[columns].fillna(0).sum(axis=1)).sort_values("total")
    offices = present["department"].tolist()
    unit = t("unit.cases", lang)
    bars = []
    for metric, color in SERVICE_VOLUMES:
        name = t(f"metric.{metric}", lang)
        bars.append(
            {
                "type": "bar",
                "x": json_numbers(present[metric]),
                "y": offices,
                "orientation": "h",
                "name": name,
                "marker": {"color": COLORS[color]},
                "hovertemplate": f"<b>%{{y}}</b><br>{name}：%{{x:,.0f}} {unit}<extra></extra>",
            }
        )
    layout = base_layout(
        title,
        height=max(260, 44 * len(present) + 110),
        barmode="stack",
        bargap=0.35,
        legend=LEGEND_BOTTOM | {"traceorder": "normal"},
        margin={"l": 10, "r": 20, "t": 50, "b": 90},
        xaxis={
            "title": {"text": t("overview.service.axis", lang)},
            "gridcolor": COLORS["grid"],
            "tickformat": ",d",
            "fixedrange": True,
        },
        yaxis={"automargin": True, "ticksuffix": "  ", "fixedrange": True},
    )
    return figure_json(bars, layout)
