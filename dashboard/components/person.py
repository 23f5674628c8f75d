"""Pieces of the person pages (rankings, HR drill-down, self view): period pickers, the office
scope of the viewer, grids with paging and row ids, stat cards, and their figures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.figures import (
    COLORS,
    base_layout,
    empty_figure_json,
    figure_json,
    json_numbers,
)
from dashboard.components.formatting import (
    INDICATOR_KINDS,
    as_date,
    change,
    fmt_value,
    is_missing,
    period_label,
)
from dashboard.components.table import Column, column_defs, records
from dashboard.context import asker, warehouse_path
from dashboard.i18n import category_name, t, unit_name
from warehouse import queries
from warehouse.scope import OFFICE_HEAD, office_filter

ALL_OFFICES = "__all__"
PERIOD_TYPES = ("month", "quarter", "year")
# Minimum widths (px) of the text columns of the grids: narrow by default, wider where the
# text is long, so that a table fits its card without scrolling sideways.
# AG Grid's pager reads "1 to 15 of 572 · Page 1 of 39"; in Chinese "1 – 15 / 572 · 页 1 / 39".
PAGER_ZH = {
    "page": "页",
    "of": "/",
    "to": "–",
    "firstPage": "首页",
    "previousPage": "上一页",
    "nextPage": "下一页",
    "lastPage": "末页",
}
TEXT_WIDTH = 92
NUMBER_MIN_WIDTH = 116
NUMBER_MAX_WIDTH = 130
TEXT_WIDTHS = {
    "department": 150,
    "detail": 160,
    "record_no": 165,
    "indicator": 165,
    "reason": 180,
    "source": 185,
    "started": 145,
    "finished": 145,
    "flags": 150,
    "name_link": 84,
    "value_text": 110,
    "adjusted_text": 110,
    "median_text": 110,
    "part": 72,
    "on_time": 64,
}


F = TypeVar("F", bound=Callable)


def one_connection(fn: F) -> F:
    """Run a layout or callback with its warehouse queries on one shared connection."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with queries.session(warehouse_path()):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- who sees which office ----------------------------------------------------------------------


def office_scope(requested: str | None = None) -> str | None:
    """The office the viewer's queries are restricted to (None: the whole town).

    An office head always gets their own office, whatever the browser asked for (an account
    without an office gets `NO_OFFICE`, which names no office): the rule of
    `warehouse.scope.office_filter`, which the warehouse applies again to the asker.
    """
    who = asker()
    if who.role == OFFICE_HEAD:
        return office_filter(who)
    if requested in (None, "", ALL_OFFICES):
        return None
    return requested


# -- periods ------------------------------------------------------------------------------------


def encode_period(period_type: str, period_start: date | str) -> str:
    """A period as one select value ("quarter|2026-07-01"): the type changes the value too."""
    return f"{period_type}|{as_date(period_start).isoformat()}"


def decode_period(value: str | None) -> tuple[str, date] | None:
    if not value or "|" not in value:
        return None
    period_type, start = value.split("|", 1)
    if period_type not in PERIOD_TYPES:
        return None
    try:
        return period_type, date.fromisoformat(start)
    except ValueError:
        return None


def period_options(
    period_type: str, starts: list, complete: list[bool], lang: str
) -> tuple[list[dict], str | None]:
    """Select options, newest first, and the default: the latest complete period (or latest)."""
    options = []
    default = None
    for start, is_complete in zip(starts, complete, strict=True):
        label = period_label(period_type, start, lang)
        if not is_complete:
            label = f"{label} {t('period.partial', lang)}"
        value = encode_period(period_type, start)
        options.append({"label": label, "value": value})
        if default is None and is_complete:
            default = value
    if default is None and options:
        default = options[0]["value"]
    return options, default


def period_text(value: str | None, lang: str) -> str:
    decoded = decode_period(value)
    return period_label(*decoded, lang) if decoded else ""


# -- filter bar -----------------------------------------------------------------------------


def labelled(label: str, control, html_for: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=html_for), control], **col)


def period_type_radio(component_id: str, value: str, lang: str) -> html.Div:
    return html.Div(
        dbc.RadioItems(
            id=component_id,
            options=[{"label": t(f"period_type.{pt}", lang), "value": pt} for pt in PERIOD_TYPES],
            value=value,
            class_name="btn-group",
            input_class_name="btn-check",
            label_class_name="btn btn-outline-primary",
            label_checked_class_name="active",
        ),
        className="radio-group",
    )


def filter_bar(columns: list) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(dbc.Row(columns, class_name="g-3 align-items-end")),
        class_name="filter-bar",
    )


def export_button(component_id: str, label: str) -> dbc.Button:
    return dbc.Button(
        [html.Span("⤓", className="me-1", **{"aria-hidden": "true"}), label],
        id=component_id,
        color="primary",
        outline=True,
        class_name="export-button",
        n_clicks=0,
    )


# -- cards ------------------------------------------------------------------------------------


def stat_card(card_id: str, label: str, value: str, detail=None, tone: str = "") -> dbc.Card:
    """A small figure card; the value carries the id `{card_id}-value`."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="kpi-label"),
                html.Div(value, className=f"stat-value {tone}".strip(), id=f"{card_id}-value"),
                html.Div(detail, className="stat-detail") if detail is not None else None,
            ]
        ),
        class_name="kpi-card stat-card h-100",
        id=card_id,
    )


def note(text: str, component_id: str | None = None) -> html.Div:
    props = {"id": component_id} if component_id else {}
    return html.Div(text, className="chart-note", **props)


def notice(text: str, component_id: str, color: str = "secondary") -> dbc.Alert:
    return dbc.Alert(text, color=color, id=component_id, class_name="person-notice")


# -- ranks and flags ----------------------------------------------------------------------------


def movement(rank_change: object, previous_rank: object, lang: str) -> str:
    """▲ 3 (moved up three places), ▼ 2, — (same place) or "new" (not ranked before)."""
    if is_missing(previous_rank) or is_missing(rank_change):
        return t("person.move.new", lang)
    change = int(rank_change)  # type: ignore[call-overload]
    if change > 0:
        return f"▲ {change}"
    if change < 0:
        return f"▼ {-change}"
    return "—"


def movement_title(rank_change: object, previous_rank: object, lang: str) -> str:
    if is_missing(previous_rank) or is_missing(rank_change):
        return t("person.move.new_long", lang)
    change = int(rank_change)  # type: ignore[call-overload]
    if change > 0:
        return t("person.move.up", lang, n=change)
    if change < 0:
        return t("person.move.down", lang, n=-change)
    return t("person.move.same", lang)


def value_name(value: object, lang: str) -> object:
    """A Chinese data value (rater group, outcome, action…) in the page's language.

    Values without a translation are shown as they are; several values joined by " · " are
    translated one by one.
    """
    if not isinstance(value, str) or not value:
        return value
    parts = []
    for part in value.split(" · "):
        key = f"person.value.{part}"
        text = t(key, lang)
        parts.append(part if text == key else text)
    return " · ".join(parts)


def rank_of(rank: object, n: object) -> str:
    if is_missing(rank) or is_missing(n):
        return "—"
    return f"{int(rank)} / {int(n)}"  # type: ignore[call-overload]


def percent(value: object, digits: int = 0) -> str:
    if is_missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]


def grade_name(grade: object, lang: str) -> str:
    if is_missing(grade) or not grade:
        return ""
    key = f"person.grade.{grade}"
    text = t(key, lang)
    return str(grade) if text == key else text


def when(value: object, with_time: bool = False) -> str | None:
    """A date (or timestamp) as text, or None."""
    if is_missing(value) or value is pd.NaT:
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return f"{stamp:%Y-%m-%d %H:%M}" if with_time else f"{stamp:%Y-%m-%d}"


def yes_no(value: object, lang: str) -> str | None:
    if is_missing(value):
        return None
    return t("person.yes", lang) if bool(value) else t("person.no", lang)


# -- grids ----------------------------------------------------------------------------------


def grid(
    grid_id: str,
    df: pd.DataFrame,
    columns: list[Column],
    lang: str,
    *,
    page_size: int | None = None,
    row_id: str | None = None,
    selectable: bool = False,
    markdown: tuple[str, ...] = (),
    class_rules: dict[str, dict[str, str]] | None = None,
    selected: str | None = None,
    extra: tuple[str, ...] = (),
    widths: dict[str, int] | None = None,
    scroll_x: bool = True,
) -> dag.AgGrid:
    """An AG Grid over `df`, sized to its rows, in pages of `page_size` when it has more.

    `markdown` fields render links; `class_rules` maps a field to AG Grid `cellClassRules`;
    `widths` overrides the minimum width of columns (text columns default to 180 px);
    with `row_id`, rows are identified by that field, so a click reports it (`cellClicked`).
    Only the columns shown (and `row_id`, `extra`) are sent to the browser.
    """
    fields = [c.field for c in columns] + [f for f in (row_id, *extra) if f]
    df = df.reindex(columns=list(dict.fromkeys(fields)))
    defs = column_defs(columns, lang)
    for spec in defs:
        if spec["field"] in markdown:
            spec["cellRenderer"] = "markdown"
        if class_rules and spec["field"] in class_rules:
            spec["cellClassRules"] = class_rules[spec["field"]]
        if "type" not in spec:  # a text column: as wide as its content usually needs
            spec["minWidth"] = TEXT_WIDTHS.get(spec["field"], TEXT_WIDTH)
        else:  # a number: spare width goes to the text columns
            spec |= {"minWidth": NUMBER_MIN_WIDTH, "maxWidth": NUMBER_MAX_WIDTH}
        if widths and spec["field"] in widths:
            spec["minWidth"] = widths[spec["field"]]
    options: dict = {
        "domLayout": "autoHeight",
        "localeText": {"noRowsToShow": t("grid.no_rows", lang)}
        | (PAGER_ZH if lang == "zh" else {}),
        "suppressMovableColumns": True,
        "enableCellTextSelection": True,
    }
    if not scroll_x:
        options["suppressHorizontalScroll"] = True
    if page_size and len(df) > page_size:
        options |= {
            "pagination": True,
            "paginationPageSize": page_size,
            "paginationPageSizeSelector": False,
        }
    if selectable:
        options["rowSelection"] = {
            "mode": "singleRow",
            "checkboxes": False,
            "enableClickSelection": True,
        }
    props: dict = {}
    if row_id:
        props["getRowId"] = f"params.data.{row_id}"
    if selected and row_id:
        props["selectedRows"] = {"ids": [selected]}
    return dag.AgGrid(
        id=grid_id,
        rowData=records(df),
        columnDefs=defs,
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "minWidth": 76,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        className="townperf-grid" + (" clickable-grid" if selectable else ""),
        style={"height": None, "width": "100%"},
        **props,
    )


def grid_or_note(grid_id: str, df: pd.DataFrame, columns: list[Column], lang: str, **options):
    """The grid, or a one-line note when there is nothing to list."""
    if df.empty:
        return html.Div(t("person.none", lang), className="text-muted empty-note", id=grid_id)
    return grid(grid_id, df, columns, lang, **options)


def sheet(df: pd.DataFrame, columns: list[Column], lang: str) -> pd.DataFrame:
    """The columns of a grid as an export sheet, with the grid's headers."""
    frame = df.reindex(columns=[c.field for c in columns])
    frame.columns = [c.header or t(c.header_key, lang) for c in columns]
    return frame


# -- figures ----------------------------------------------------------------------------------


def histogram_figure(bands: pd.DataFrame, title: str, lang: str) -> dict:
    """People per composite band; `bands` is `person_queries.composite_histogram`. Built as
    Plotly JSON: it is drawn for every ranking view asked for (`figure_json`)."""
    if bands.empty or int(bands["people"].sum()) == 0:
        return empty_figure_json(title, lang)
    labels = [
        f"{int(a)}–{int(b)}" for a, b in zip(bands["bin_start"], bands["bin_end"], strict=True)
    ]
    people = [int(n) for n in bands["people"]]
    unit = t("unit.people", lang)
    bar = {
        "type": "bar",
        "x": labels,
        "y": people,
        "marker": {"color": COLORS["primary"]},
        "text": [str(n) if n else "" for n in people],
        "textposition": "outside",
        "hovertemplate": f"%{{x}}：%{{y}} {unit}<extra></extra>",
    }
    layout = base_layout(
        title,
        height=320,
        bargap=0.15,
        showlegend=False,
        xaxis={"title": {"text": t("rankings.histogram.axis_x", lang)}, "fixedrange": True},
        yaxis={
            "title": {"text": t("rankings.histogram.axis_y", lang)},
            "gridcolor": COLORS["grid"],
            "rangemode": "tozero",
            "tickformat": ",d",
            "fixedrange": True,
        },
    )
    return figure_json([bar], layout)


def trend_figure(trend: pd.DataFrame, title: str, lang: str, with_median: bool) -> dict:
    """The monthly composite of one person; with the category median when `with_median`.

    Months with insufficient data are hollow markers: the figure exists but is not ranked.
    Built as Plotly JSON (`figure_json`): every person view draws one.
    """
    if trend.empty or trend["composite_score"].isna().all():
        return empty_figure_json(title, lang)
    months = [as_date(m).isoformat() for m in trend["period_start"]]
    labels = [period_label("month", m, lang) for m in trend["period_start"]]
    insufficient = trend["insufficient_data"].fillna(False).astype(bool).tolist()
    points = t("unit.points", lang)
    data = [
        {
            "type": "scatter",
            "x": months,
            "y": json_numbers(trend["composite_score"]),
            "name": t("people.trend.mine", lang),
            "mode": "lines+markers",
            "line": {"color": COLORS["primary"], "width": 2.5},
            "marker": {
                "size": 8,
                "color": ["white" if flag else COLORS["primary"] for flag in insufficient],
                "line": {"color": COLORS["primary"], "width": 2},
            },
            "customdata": [
                [label, t("people.trend.insufficient", lang) if flag else ""]
                for label, flag in zip(labels, insufficient, strict=True)
            ],
            "hovertemplate": f"%{{customdata[0]}}：%{{y:.1f}} {points} %{{customdata[1]}}"
            "<extra></extra>",
        }
    ]
    if with_median and "category_median" in trend:
        data.append(
            {
                "type": "scatter",
                "x": months,
                "y": json_numbers(trend["category_median"]),
                "name": t("people.trend.median", lang),
                "mode": "lines",
                "line": {"color": COLORS["muted"], "width": 1.5, "dash": "dash"},
                "customdata": labels,
                "hovertemplate": f"%{{customdata}}：%{{y:.1f}} {points}<extra></extra>",
            }
        )
    layout = base_layout(
        title,
        height=320,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        xaxis={"tickformat": "%Y-%m", "gridcolor": COLORS["grid"], "fixedrange": True},
        yaxis={
            "title": {"text": t("person.axis.composite", lang)},
            "range": [0, 105],
            "gridcolor": COLORS["grid"],
            "fixedrange": True,
        },
    )
    return figure_json(data, layout)


def rank_history_figure(scores: pd.DataFrame, period_type: str, title: str, lang: str) -> dict:
    """Rank within the category per period (1 at the top); `scores` is `person_scores`. Built
    as Plotly JSON, as `trend_figure`."""
    ranked = scores.dropna(subset=["rank_in_category"])
    if ranked.empty:
        return empty_figure_json(title, lang)
    ranks = [int(r) for r in ranked["rank_in_category"]]
    counts = json_numbers(ranked["n_in_category"])
    line = {
        "type": "scatter",
        "x": [short_period(period_type, p) for p in ranked["period_start"]],
        "y": ranks,
        "mode": "lines+markers+text",
        "text": [str(r) for r in ranks],
        "textposition": "top center",
        "line": {"color": COLORS["cases"], "width": 2},
        "marker": {"size": 8},
        "customdata": counts,
        "hovertemplate": "%{x}：" + t("people.rank.hover", lang) + "<extra></extra>",
    }
    top = max(float(ranked["n_in_category"].max()), float(max(ranks)))
    layout = base_layout(
        title,
        height=320,
        showlegend=False,
        yaxis={
            "title": {"text": t("people.rank.axis", lang)},
            "autorange": False,
            "range": [top + 1, 0.3],
            "gridcolor": COLORS["grid"],
            "tickformat": ",d",
            "fixedrange": True,
        },
        xaxis={"type": "category", "fixedrange": True},
    )
    return figure_json([line], layout)


def short_period(period_type: str, period_start: object) -> str:
    """2026-09, 2026Q3 or 2026: the same in both languages, short enough for an axis."""
    start = as_date(period_start)  # type: ignore[arg-type]
    if period_type == "month":
        return f"{start:%Y-%m}"
    if period_type == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def percentile_bar(card_id: str, percentile: object, n: object, lang: str) -> dbc.Card:
    """Where the person stands in the category, 0–100, without anyone else's figures."""
    label = t("person.kpi.percentile", lang)
    if is_missing(percentile):
        return stat_card(card_id, label, t("person.kpi.not_ranked", lang))
    p = round(float(percentile) * 100)  # type: ignore[arg-type]
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="kpi-label"),
                html.Div(f"{p}%", className="stat-value", id=f"{card_id}-value"),
                html.Div(
                    dbc.Progress(value=p, class_name="percentile-bar", color="primary"),
                    role="img",
                    **{"aria-label": t("person.kpi.percentile_value", lang, p=p)},
                ),
                html.Div(
                    t("person.kpi.percentile_value", lang, p=p)
                    + (
                        " · " + t("person.kpi.category_n", lang, n=int(n))  # type: ignore[call-overload]
                        if not is_missing(n)
                        else ""
                    ),
                    className="stat-detail",
                ),
            ]
        ),
        class_name="kpi-card stat-card h-100",
        id=card_id,
    )


def score_text(value: object) -> str:
    return fmt_value(value, "score")  # type: ignore[arg-type]


def indicator_value_text(value: object, kind: str, unit: object, lang: str) -> str:
    """An indicator's value as it reads on screen: rates as %, others with their unit."""
    shown = INDICATOR_KINDS.get(kind, "score")
    text = fmt_value(value, shown)  # type: ignore[arg-type]
    if shown == "rate" or text == "—":
        return text
    return f"{text} {unit_name(unit if isinstance(unit, str) else None, lang)}".strip()


def score_cards(
    prefix: str, scores: pd.DataFrame, period_start: date, lang: str, ranks: bool
) -> dbc.Row | None:
    """Composite, its parts and the position in the category for one period of `scores`
    (`person_queries.person_scores`), the composite compared with the period before.

    With `ranks`, the rank in the category (with its movement) and in the office are shown;
    without, only the percentile, which names nobody else.
    """
    at = scores[scores["period_start"] == period_start]
    if at.empty:
        return None
    row = at.iloc[-1]
    before = scores[scores["period_start"] < period_start]
    previous = before.iloc[-1]["composite_score"] if len(before) else None
    points = t("unit.points", lang)
    delta = change(row["composite_score"], previous, "score", "higher", lang)
    if delta is None:
        detail = html.Span(t("person.no_previous", lang), className="text-muted")
    else:
        tone = {True: "kpi-good", False: "kpi-bad", None: "kpi-flat"}[delta.good]
        arrow = {1: "▲", -1: "▼", 0: "■"}[delta.direction]
        detail = html.Span(
            [
                html.Span(t("person.vs_previous", lang), className="text-muted me-1"),
                html.Span(f"{arrow} {delta.text} {points}", className=f"kpi-delta {tone}"),
            ]
        )
    cards = [
        stat_card(
            f"{prefix}-kpi-composite",
            t("person.kpi.composite", lang),
            score_text(row["composite_score"]),
            detail,
            tone="stat-main",
        ),
        stat_card(
            f"{prefix}-kpi-quantitative",
            t("person.kpi.quantitative", lang),
            score_text(row["quantitative_score"]),
            t("person.kpi.coverage", lang, coverage=percent(row["quantitative_coverage"])),
        ),
        stat_card(
            f"{prefix}-kpi-qualitative",
            t("person.kpi.qualitative", lang),
            score_text(row["qualitative_score"]),
            points,
        ),
    ]
    if ranks:
        not_ranked = t("person.kpi.not_ranked", lang)
        ranked = not is_missing(row["rank_in_category"])
        cards += [
            stat_card(
                f"{prefix}-kpi-rank",
                t("person.kpi.rank", lang),
                rank_of(row["rank_in_category"], row["n_in_category"]) if ranked else not_ranked,
                movement_title(row["rank_change"], row["previous_rank"], lang) if ranked else None,
            ),
            stat_card(
                f"{prefix}-kpi-office-rank",
                t("person.kpi.office_rank", lang),
                rank_of(row["rank_in_office"], row["n_in_office"]) if ranked else not_ranked,
                percentile_text(row["category_percentile"], lang) if ranked else None,
            ),
        ]
        grade = grade_name(row["grade_recommendation"], lang)
        if grade:
            cards.append(stat_card(f"{prefix}-kpi-grade", t("person.kpi.grade", lang), grade))
    else:
        cards.append(
            percentile_bar(
                f"{prefix}-kpi-position", row["category_percentile"], row["n_in_category"], lang
            )
        )
    return dbc.Row(
        [dbc.Col(card) for card in cards],
        class_name="row-cols-2 row-cols-md-3 row-cols-xl-6 g-3 stat-row",
    )


def percentile_text(percentile: object, lang: str) -> str:
    if is_missing(percentile):
        return ""
    return t("person.kpi.percentile_value", lang, p=round(float(percentile) * 100))  # type: ignore[arg-type]


def profile_card(card_id: str, profile: pd.Series, lang: str) -> dbc.Card:
    """Name, staff id and post of one person (their latest roster version)."""
    facts = [
        ("person.profile.staff_id", profile.get("staff_id")),
        ("person.profile.department", profile.get("department")),
        ("person.profile.position", profile.get("position")),
        ("person.profile.category", category_label(profile.get("role_category"), lang)),
        ("person.profile.staff_type", value_name(profile.get("staff_type"), lang)),
        ("person.profile.rank", profile.get("rank")),
        ("person.profile.hired_on", when(profile.get("hired_on"))),
    ]
    if not is_missing(profile.get("left_on")) and profile.get("left_on") is not None:
        facts.append(("person.profile.left_on", when(profile.get("left_on"))))
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(
                    str(profile.get("name") or ""), className="profile-name", id=f"{card_id}-name"
                ),
                html.Dl(
                    [
                        item
                        for key, value in facts
                        if value not in (None, "") and not is_missing(value)
                        for item in (html.Dt(t(key, lang)), html.Dd(str(value)))
                    ],
                    className="profile-facts",
                ),
            ],
            class_name="profile-body",
        ),
        class_name="profile-card",
        id=card_id,
    )


def category_label(category: object, lang: str) -> str | None:
    if not isinstance(category, str):
        return None
    return category_name(category, lang)
