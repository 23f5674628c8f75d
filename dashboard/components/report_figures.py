"""Figures of the report pages (result utilization, public summary, methodology, data status).

Same contract as `components.figures`: DataFrames in, a complete `go.Figure` out, titled, in
the language asked, and a figure that says so when there is nothing to draw.

Traces and layout are written as plain dicts and the figure is built once without plotly's
property validation (`_validate=False`): validating a figure property by property costs tens of
milliseconds each, and these pages draw up to a dozen figures per request.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.figures import COLORS, LEGEND_BOTTOM, base_layout, empty_figure
from dashboard.components.formatting import fmt_value, period_label
from dashboard.i18n import category_name, t

SERIES = ["#1d4e89", "#3a9bd9", "#e08a1e", "#6a994e", "#8e6bb0", "#c0392b", "#8a94a6"]
PALETTE = SERIES + ["#b5c7dd", "#f2c283", "#a7c4a0", "#c9b6dc", "#9ecae1", "#fdae6b"]
LEGEND_TOP = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"}


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=traces, layout=layout, _validate=False)


def _axis(**spec: object) -> dict:
    return {"gridcolor": COLORS["grid"], "fixedrange": True, "zeroline": False} | spec


def _threshold_line(x: float, text: str) -> tuple[dict, dict]:
    """A dashed vertical line across the plot at `x`, and its label at the top."""
    shape = {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"dash": "dash", "color": COLORS["bad"], "width": 1.5},
    }
    note = {
        "x": x,
        "xref": "x",
        "y": 1,
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "bottom",
        "font": {"size": 12, "color": COLORS["bad"]},
    }
    return shape, note


def crosstab_figure(
    table: pd.DataFrame, rows: Sequence[str], cols: Sequence[str], title: str, lang: str
) -> go.Figure:
    """A heatmap of people per recommended grade (rows) × final grade (columns), with counts.

    `table` has the columns `row`, `col` and `people`, labels already in `lang`.
    """
    if table.empty:
        return empty_figure(title, lang)
    grid = (
        table.pivot_table(index="row", columns="col", values="people", aggfunc="sum")
        .reindex(index=list(rows), columns=list(cols))
        .fillna(0)
    )
    z = grid.to_numpy()
    unit = t("unit.people", lang)
    trace = {
        "type": "heatmap",
        "z": z.tolist(),
        "x": list(grid.columns),
        "y": list(grid.index),
        "text": [[str(int(v)) if v else "" for v in row] for row in z],
        "texttemplate": "%{text}",
        "textfont": {"size": 15},
        "colorscale": [[0, "#f4f7fb"], [1, COLORS["primary"]]],
        "showscale": False,
        "xgap": 3,
        "ygap": 3,
        "hovertemplate": t("results.crosstab.hover", lang) + f" %{{z}} {unit}<extra></extra>",
    }
    layout = base_layout(
        title,
        height=max(260, 56 * len(grid.index) + 120),
        xaxis=_axis(
            title={"text": t("results.crosstab.final", lang)},
            showgrid=False,
            tickangle=0,
            automargin=True,
            tickvals=list(grid.columns),
            ticktext=[str(c).replace(" ", "<br>") for c in grid.columns],
        ),
        yaxis=_axis(
            title={"text": t("results.crosstab.recommended", lang)},
            autorange="reversed",
            ticksuffix="  ",
            showgrid=False,
        ),
    )
    return _figure([trace], layout)


def consequences_figure(summary: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """Bars of the consequences each grade calls for, per kind of action, split into people
    for whom the rule was followed and people for whom it was not (a consequence due and not
    applied, or one barred and applied anyway).

    `summary` has `label` (the action and grade, in `lang`), `ok` and `wrong`.
    """
    if summary.empty:
        return empty_figure(title, lang)
    summary = summary.iloc[::-1]
    unit = t("unit.people", lang)
    traces = []
    for field, color in (("ok", COLORS["primary"]), ("wrong", COLORS["bad"])):
        name = t(f"results.consequences.{field}", lang)
        traces.append(
            {
                "type": "bar",
                "x": list(summary[field]),
                "y": list(summary["label"]),
                "orientation": "h",
                "name": name,
                "marker": {"color": color},
                "text": [str(int(v)) if v else "" for v in summary[field]],
                "textposition": "inside",
                "hovertemplate": f"<b>%{{y}}</b><br>{name}：%{{x}} {unit}<extra></extra>",
            }
        )
    layout = base_layout(
        title,
        height=max(240, 48 * len(summary) + 110),
        barmode="stack",
        bargap=0.35,
        legend=LEGEND_BOTTOM,
        margin={"l": 10, "r": 20, "t": 50, "b": 80},
        xaxis=_axis(title={"text": t("results.consequences.axis", lang)}, tickformat=",d"),
        yaxis=_axis(automargin=True, ticksuffix="  ", showgrid=False),
    )
    return _figure(traces, layout)


LAG_BIN_DAYS = 10
LAG_BIN_COLUMNS = ["first_day", "last_day", "label", "decisions", "late"]


def lag_bins(days: pd.Series, threshold: float | None, width: int = LAG_BIN_DAYS) -> pd.DataFrame:
    """Decisions per band of whole days from the end of the period to application, the bands
    aligned so that one starts the day after `threshold`: each band is wholly on time or
    wholly late (`late`). Bands run from day 0 to the band holding the threshold or the
    longest delay, whichever is later; days before the period's end count as day 0."""
    days = days.dropna().astype(float).clip(lower=0).round()
    if days.empty:
        return pd.DataFrame(columns=LAG_BIN_COLUMNS)
    offset = int(threshold + 1) % width if threshold is not None else 0
    first = offset - width if offset else 0
    top = max(float(days.max()), float(threshold or 0))
    edges = np.arange(first, top + width + 1, width)
    counts, _ = np.histogram(days, bins=edges)
    starts = [max(int(e), 0) for e in edges[:-1]]
    ends = [int(e) + width - 1 for e in edges[:-1]]
    return pd.DataFrame(
        {
            "first_day": starts,
            "last_day": ends,
            "label": [f"{a}–{b}" if a != b else str(a) for a, b in zip(starts, ends, strict=True)],
            "decisions": counts.astype(int),
            "late": [threshold is not None and e > threshold for e in edges[:-1]],
        }
    )


def lag_figure(bins: pd.DataFrame, threshold: float | None, title: str, lang: str) -> go.Figure:
    """Histogram of the days from the end of the period to the result being applied (the bands
    of `lag_bins`), with the overdue threshold marked between bands; late bands are red."""
    if bins.empty:
        return empty_figure(title, lang)
    first, last = bins["first_day"], bins["last_day"]
    unit = t("unit.decisions", lang)
    trace = {
        "type": "bar",
        "x": ((first + last + 1) / 2).tolist(),
        "y": bins["decisions"].tolist(),
        "width": ((last - first + 1) * 0.92).tolist(),
        "marker": {
            "color": [COLORS["bad"] if flag else COLORS["primary"] for flag in bins["late"]]
        },
        "customdata": bins["label"].tolist(),
        "hovertemplate": "%{customdata} "
        + t("results.lag.days", lang)
        + f"：%{{y}} {unit}<extra></extra>",
    }
    layout = base_layout(
        title,
        height=320,
        showlegend=False,
        xaxis=_axis(title={"text": t("results.lag.axis_x", lang)}, rangemode="tozero"),
        yaxis=_axis(title={"text": t("results.lag.axis_y", lang)}, tickformat=",d"),
    )
    if threshold is not None:
        shape, note = _threshold_line(
            threshold + 1, t("results.lag.threshold", lang, days=int(threshold))
        )
        layout |= {"shapes": [shape], "annotations": [note]}
    return _figure([trace], layout)


def pay_figure(pay: pd.DataFrame, r: float | None, title: str, lang: str) -> go.Figure:
    """Scatter of the performance bonus against the composite score, one point per person,
    by job category, with the least-squares line."""
    pay = pay.dropna(subset=["composite_score", "amount"])
    if pay.empty:
        return empty_figure(title, lang)
    points = t("unit.points", lang)
    traces = []
    for i, (category, rows) in enumerate(pay.groupby("role_category", sort=True)):
        traces.append(
            {
                "type": "scatter",
                "x": rows["composite_score"].tolist(),
                "y": rows["amount"].tolist(),
                "mode": "markers",
                "name": category_name(str(category), lang),
                "marker": {"size": 9, "color": SERIES[i % len(SERIES)], "opacity": 0.85},
                "customdata": rows[["department"]].fillna("").to_numpy().tolist(),
                "hovertemplate": f"%{{customdata[0]}}<br>%{{x:.1f}} {points} · ¥%{{y:,.0f}}"
                "<extra></extra>",
            }
        )
    if len(pay) >= 3 and r is not None:
        slope, intercept = np.polyfit(pay["composite_score"], pay["amount"], 1)
        xs = np.array([pay["composite_score"].min(), pay["composite_score"].max()])
        traces.append(
            {
                "type": "scatter",
                "x": xs.tolist(),
                "y": (slope * xs + intercept).tolist(),
                "mode": "lines",
                "name": t("results.pay.fit", lang),
                "line": {"color": COLORS["muted"], "dash": "dash", "width": 1.5},
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(
        title,
        height=380,
        legend=LEGEND_TOP,
        xaxis=_axis(title={"text": t("results.pay.axis_x", lang)}),
        yaxis=_axis(title={"text": t("results.pay.axis_y", lang)}, tickformat=",.0f"),
    )
    return _figure(traces, layout)


def trend_figure(
    monthly: pd.DataFrame, metrics: Sequence[str], kind: str, title: str, lang: str
) -> go.Figure:
    """Lines of some town service metrics by month (`monthly`: one column per metric)."""
    present = [m for m in metrics if m in monthly and monthly[m].notna().any()]
    if monthly.empty or not present:
        return empty_figure(title, lang)
    months = [pd.Timestamp(m).strftime("%Y-%m-%d") for m in monthly["period_start"]]
    labels = [period_label("month", m, lang) for m in monthly["period_start"]]
    traces = []
    for i, metric in enumerate(present):
        name = t(f"metric.{metric}", lang)
        values = [None if pd.isna(v) else float(v) for v in monthly[metric]]
        traces.append(
            {
                "type": "scatter",
                "x": months,
                "y": values,
                "name": name,
                "mode": "lines+markers",
                "line": {"color": SERIES[i % len(SERIES)], "width": 2},
                "marker": {"size": 5},
                "customdata": [
                    [label, fmt_value(v, kind)] for label, v in zip(labels, values, strict=True)
                ],
                "hovertemplate": f"%{{customdata[0]}} {name}：%{{customdata[1]}}<extra></extra>",
                "connectgaps": False,
            }
        )
    layout = base_layout(
        title,
        height=340,
        legend=LEGEND_BOTTOM,
        showlegend=len(present) > 1,
        margin={"l": 10, "r": 20, "t": 50, "b": 70 if len(present) > 1 else 40},
        xaxis=_axis(type="date", tickformat="%Y-%m"),
        yaxis=_axis(
            tickformat=".0%" if kind == "rate" else ",.0f" if kind == "count" else ".1f",
            rangemode="tozero" if kind == "count" else "normal",
        ),
    )
    return _figure(traces, layout)


def weights_figure(
    effective: pd.DataFrame, names: dict[str, str], order: Sequence[str], title: str, lang: str
) -> go.Figure:
    """One bar per job category split into the share of the composite each indicator carries
    (`effective`: `scoring.effective_weights`): quantitative indicators in blues, ratings in
    oranges, named inside the bar where there is room."""
    if effective.empty:
        return empty_figure(title, lang)
    categories = list(dict.fromkeys(effective["role_category"]))
    labels = [category_name(c, lang) for c in categories]
    shares = effective.set_index(["indicator_code", "role_category"])["effective_weight"]
    rating = set(effective.loc[effective["is_qualitative"], "indicator_code"])
    present = set(effective["indicator_code"])
    codes = [c for c in order if c in present and c not in rating]
    codes += [c for c in order if c in rating]
    blues = ["#1d4e89", "#3a6ea5", "#5b8ec4", "#7fa9d6", "#a4c3e6", "#2c5d94", "#4d7fb8"]
    oranges = ["#c96f0e", "#e08a1e", "#f0ac5a"]
    traces = []
    quant_i = rating_i = 0
    for code in codes:
        name = names.get(code, code)
        if code in rating:
            color, rating_i = oranges[rating_i % len(oranges)], rating_i + 1
        else:
            color, quant_i = blues[quant_i % len(blues)], quant_i + 1
        values = [float(shares.get((code, c), 0.0)) for c in categories]
        traces.append(
            {
                "type": "bar",
                "x": values,
                "y": labels,
                "orientation": "h",
                "name": name,
                "marker": {"color": color, "line": {"color": "white", "width": 1}},
                "text": [f"{name} {v:.0%}" if v >= 0.1 else "" for v in values],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"size": 11, "color": "white"},
                "hovertemplate": f"<b>%{{y}}</b><br>{name}：%{{x:.1%}}<extra></extra>",
            }
        )
    layout = base_layout(
        title,
        height=max(280, 58 * len(categories) + 110),
        barmode="stack",
        bargap=0.25,
        showlegend=False,
        uniformtext={"minsize": 9, "mode": "hide"},
        xaxis=_axis(tickformat=".0%", range=[0, 1]),
        yaxis=_axis(autorange="reversed", ticksuffix="  ", showgrid=False),
    )
    return _figure(traces, layout)


def whatif_figure(table: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """Rank with the current weights against rank with the weights tried, one point per person
    ranked both ways: points off the diagonal moved (above it: moved up)."""
    both = table.dropna(subset=["rank_baseline", "rank_in_category_whatif"])
    if both.empty:
        return empty_figure(title, lang)
    moved = both["movement"].fillna(0)
    colors = [
        COLORS["good"] if m > 0 else COLORS["bad"] if m < 0 else COLORS["muted"] for m in moved
    ]
    top = float(max(both["rank_baseline"].max(), both["rank_in_category_whatif"].max())) + 1
    traces = [
        {
            "type": "scatter",
            "x": [0.5, top],
            "y": [0.5, top],
            "mode": "lines",
            "line": {"color": COLORS["grid"], "width": 1.5},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": both["rank_baseline"].astype(float).tolist(),
            "y": both["rank_in_category_whatif"].astype(float).tolist(),
            "mode": "markers",
            "marker": {"size": 9, "color": colors, "line": {"color": "white", "width": 1}},
            "customdata": both[["name"]].fillna("").to_numpy().tolist(),
            "hovertemplate": "%{customdata[0]}：%{x} → %{y}<extra></extra>",
        },
    ]
    layout = base_layout(
        title,
        height=380,
        showlegend=False,
        xaxis=_axis(title={"text": t("whatif.axis_x", lang)}, range=[top, 0]),
        yaxis=_axis(title={"text": t("whatif.axis_y", lang)}, range=[top, 0]),
    )
    return _figure(traces, layout)


def rows_by_source_figure(per_source: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """Rows loaded and quarantined per source (`per_source`: label, rows_loaded,
    rows_quarantined), on a log axis so a few bad rows still show next to thousands."""
    if per_source.empty:
        return empty_figure(title, lang)
    traces = []
    for field, color in (("rows_loaded", COLORS["primary"]), ("rows_quarantined", COLORS["bad"])):
        name = t(f"data.col.{field}", lang)
        values = [float(v) if v else None for v in per_source[field]]
        traces.append(
            {
                "type": "bar",
                "x": values,
                "y": list(per_source["label"]),
                "orientation": "h",
                "name": name,
                "marker": {"color": color},
                "text": [fmt_value(v, "count") if v else "" for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": f"<b>%{{y}}</b><br>{name}：%{{x:,}}<extra></extra>",
            }
        )
    layout = base_layout(
        title,
        height=max(280, 46 * len(per_source) + 120),
        barmode="group",
        bargap=0.25,
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 60, "t": 70, "b": 50},
        xaxis=_axis(type="log", title={"text": t("data.freshness.axis", lang)}),
        yaxis=_axis(autorange="reversed", ticksuffix="  ", showgrid=False),
    )
    return _figure(traces, layout)
