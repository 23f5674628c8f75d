"""排名 — rankings within a job category and period: movement, rank within office, flags, the
people with insufficient data (never ranked), and the distribution of composite scores.

An office head sees their own office only: the office comes from the session
(`components.person.office_scope`), and the warehouse restricts its queries to the asker's
scope again (`warehouse.scope`). Every view and export is written to the audit log.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.auth import audit_view, guard_layout
from dashboard.components import person as pc
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.formatting import markdown_link
from dashboard.components.layout import chart_card, lazy_tables, page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.table import Column, row_dicts
from dashboard.context import asker, warehouse_path
from dashboard.i18n import category_name, current_lang, t
from warehouse import person_queries as pq
from warehouse.queries import PERIOD_TYPES, WarehouseUnavailable
from warehouse.scope import NO_OFFICE, Asker

dash.register_page(
    __name__,
    path="/rankings",
    name="排名",
    title=lambda: f"{t('page.rankings')} · {t('app.title')}",
    order=10,
    label_key="page.rankings",
)
lazy_tables("rankings")

DEFAULT_PERIOD_TYPE = "quarter"
MOVE_RULES = {
    "rank-up": "params.data.rank_change > 0",
    "rank-down": "params.data.rank_change < 0",
}


@guard_layout("rankings")
@pc.one_connection
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.rankings", lang), t("rankings.subtitle", lang))
    path = warehouse_path()
    try:
        categories = pq.role_categories(path)
        periods = pq.score_periods(path, DEFAULT_PERIOD_TYPE)
        offices = pq.scored_offices(path)
    except WarehouseUnavailable:
        return html.Div([header, warehouse_missing_notice(lang)])
    options, period = pc.period_options(
        DEFAULT_PERIOD_TYPE, list(periods["period_start"]), list(periods["is_complete"]), lang
    )
    category = str(categories["role_category"].iloc[0]) if len(categories) else None
    scope = pc.office_scope()
    sections = ranking_sections(path, asker(), period, category, scope, lang)
    return html.Div(
        [
            header,
            _filter_bar(options, period, categories, offices, scope, lang),
            html.Div(sections[0], id="rankings-summary"),
            section_title(t("rankings.section.table", lang), "rankings-period-label", sections[1]),
            html.Div(sections[2], id="rankings-table"),
            section_title(t("rankings.section.insufficient", lang)),
            html.Div(sections[3], id="rankings-insufficient"),
            section_title(t("rankings.section.distribution", lang)),
            html.Div(sections[4], id="rankings-distribution"),
            dcc.Download(id="rankings-download"),
        ],
        className="rankings-page",
    )


def warm(path: Path) -> None:
    """Memoize the rankings of every category in every period the page offers, newest first
    (dashboard.warmup); an office is a filter of its category's, so none is read apart.
    Nothing is shown to anyone, so nothing is audited."""
    categories = list(pq.role_categories(path)["role_category"])
    pq.scored_offices(path)
    everyone = Asker("leader")  # the whole category: what every asker's view is filtered from
    for period_type in PERIOD_TYPES:
        for start in pq.score_periods(path, period_type)["period_start"]:
            for category in categories:
                _category_reads(path, everyone, period_type, start, category, None)


@callback(
    Output("rankings-period", "options"),
    Output("rankings-period", "value"),
    Input("rankings-period-type", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_periods(period_type: str) -> tuple[list[dict], str | None]:
    periods = pq.score_periods(warehouse_path(), period_type)
    return pc.period_options(
        period_type, list(periods["period_start"]), list(periods["is_complete"]), current_lang()
    )


@callback(
    Output("rankings-summary", "children"),
    Output("rankings-period-label", "children"),
    Output("rankings-table", "children"),
    Output("rankings-insufficient", "children"),
    Output("rankings-distribution", "children"),
    Input("rankings-period", "value"),
    Input("rankings-category", "value"),
    Input("rankings-office", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_rankings(period: str, category: str, office: str) -> tuple:
    return ranking_sections(
        warehouse_path(), asker(), period, category, pc.office_scope(office), current_lang()
    )


@callback(
    Output("rankings-download", "data"),
    Input("rankings-export", "n_clicks"),
    State("rankings-period", "value"),
    State("rankings-category", "value"),
    State("rankings-office", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def export_rankings(n_clicks: int, period: str, category: str, office: str):
    decoded = pc.decode_period(period)
    if not n_clicks or decoded is None or not category:
        return dash.no_update
    lang = current_lang()
    scope = pc.office_scope(office)
    period_type, start = decoded
    path = warehouse_path()
    who = asker()
    table = pq.rankings(path, who, period_type, start, category, scope)
    bands = pq.composite_histogram(path, who, period_type, start, category, scope)
    ranked, insufficient = _split(table, lang)
    minimum = _min_coverage(path, category)
    sheets = {
        t("rankings.sheet.ranked", lang): pc.sheet(
            ranked, _ranked_columns(period_type, lang, export=True), lang
        ),
        t("rankings.sheet.insufficient", lang): pc.sheet(
            _with_reason(insufficient, minimum, lang), _insufficient_columns(export=True), lang
        ),
        t("rankings.sheet.distribution", lang): pc.sheet(
            _bands_table(bands), HISTOGRAM_COLUMNS, lang
        ),
    }
    audit_view("export_rankings", None, _audit_detail(category, period, scope))
    filename = f"rankings_{period_type}_{start.isoformat()}.xlsx"
    return dcc.send_bytes(to_xlsx_bytes(sheets), filename)


# -- sections ---------------------------------------------------------------------------------


def ranking_sections(
    path: Path,
    who: Asker,
    period: str | None,
    category: str | None,
    office: str | None,
    lang: str,
) -> tuple:
    """Summary cards, period label, ranking table, insufficient-data list and distribution;
    the view (names and scores of a whole category) is written to the audit log."""
    decoded = pc.decode_period(period)
    if decoded is None or not category:
        empty = html.Div(t("empty.period", lang), className="text-muted p-3")
        return empty, "", empty, empty, empty
    period_type, start = decoded
    table, bands = _category_reads(path, who, period_type, start, category, office)
    audit_view("view_rankings", None, _audit_detail(category, period, office))
    ranked, insufficient = _split(table, lang)
    label = f"{category_name(category, lang)} · {pc.period_text(period, lang)}"
    if len(table) and not table["is_complete_period"].all():
        label = f"{label} {t('period.partial', lang)}"
    minimum = _min_coverage(path, category)
    return (
        _summary(ranked, insufficient, lang),
        label,
        _ranked_card(ranked, period_type, lang),
        _insufficient_card(insufficient, minimum, lang),
        _distribution(bands, category, pc.period_text(period, lang), lang),
    )


def _category_reads(
    path: Path, who: Asker, period_type: str, start: date, category: str, office: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a ranking view reads (and the warm-up memoizes): the category's people in the
    period and their composite bands, as far as the asker may see, narrowed to `office`."""
    return (
        pq.rankings(path, who, period_type, start, category, office),
        pq.composite_histogram(path, who, period_type, start, category, office),
    )


def _split(table: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranked people and people with insufficient data, with their display columns."""
    table = table.assign(
        name_link=[
            markdown_link(name, "/people", {"staff_id": sid})
            for name, sid in zip(table["name"], table["staff_id"], strict=True)
        ],
        movement=[
            pc.movement(change, previous, lang)
            for change, previous in zip(table["rank_change"], table["previous_rank"], strict=True)
        ],
        office_rank=[
            pc.rank_of(rank, n)
            for rank, n in zip(table["rank_in_office"], table["n_in_office"], strict=True)
        ],
        flags=[_flags(row, lang) for row in row_dicts(table)],
        grade=[pc.grade_name(g, lang) for g in table["grade_recommendation"]],
    )
    insufficient = table["insufficient_data"].fillna(True).astype(bool)
    return table[~insufficient], table[insufficient]


def _audit_detail(category: str, period: str, office: str | None) -> str:
    """What was listed: category, period and office ("all" for the whole town)."""
    shown = "all" if office is None else "none" if office == NO_OFFICE else office
    return f"{category} {period} {shown}"


def _flags(row: dict, lang: str) -> str:
    flags = []
    if row.get("has_missing_indicators") and not pd.isna(row.get("indicators_missing")):
        flags.append(t("rankings.flag.missing", lang, n=int(row["indicators_missing"])))
    if row.get("review_flag"):
        flags.append(t("rankings.flag.review", lang))
    return "；".join(flags) if lang == "zh" else "; ".join(flags)


def _min_coverage(path: Path, category: str) -> float | None:
    categories = pq.role_categories(path)
    match = categories[categories["role_category"] == category]
    return float(match["min_coverage"].iloc[0]) if len(match) else None


def _summary(ranked: pd.DataFrame, insufficient: pd.DataFrame, lang: str) -> dbc.Row:
    scores = ranked["composite_score"].dropna()
    people = t("unit.people", lang)
    cards = [
        pc.stat_card(
            "rankings-stat-ranked", t("rankings.stat.ranked", lang), f"{len(ranked)}", people
        ),
        pc.stat_card(
            "rankings-stat-insufficient",
            t("rankings.stat.insufficient", lang),
            f"{len(insufficient)}",
            people,
        ),
        pc.stat_card(
            "rankings-stat-median",
            t("rankings.stat.median", lang),
            pc.score_text(scores.median() if len(scores) else None),
            t("unit.points", lang),
        ),
        pc.stat_card(
            "rankings-stat-top",
            t("rankings.stat.top", lang),
            pc.score_text(scores.max() if len(scores) else None),
            t("unit.points", lang),
        ),
    ]
    return dbc.Row(
        [dbc.Col(card) for card in cards], class_name="row-cols-2 row-cols-lg-4 g-3 stat-row"
    )


def _ranked_columns(period_type: str, lang: str, export: bool = False) -> list[Column]:
    columns = [
        Column("rank_in_category", "person.col.rank", "int"),
        Column("movement", "person.col.movement"),
        Column("name" if export else "name_link", "person.col.name"),
        Column("staff_id", "person.col.staff_id"),
        Column("department", "person.col.department"),
        Column("composite_score", "person.col.composite", "score"),
        Column("quantitative_score", "person.col.quantitative", "score"),
        Column("qualitative_score", "person.col.qualitative", "score"),
        Column("office_rank", "person.col.office_rank"),
        Column("flags", "person.col.flags"),
    ]
    if period_type == "year":
        columns.append(Column("grade", "person.col.grade"))
    return columns


def _ranked_card(ranked: pd.DataFrame, period_type: str, lang: str) -> dbc.Card:
    table = pc.grid(
        "rankings-grid",
        ranked,
        _ranked_columns(period_type, lang),
        lang,
        markdown=("name_link",),
        class_rules={"movement": MOVE_RULES},
        extra=("rank_change",),
    )
    return dbc.Card(
        dbc.CardBody([table, pc.note(t("rankings.table.note", lang))]),
        class_name="chart-card",
    )


def _insufficient_columns(export: bool = False) -> list[Column]:
    return [
        Column("name" if export else "name_link", "person.col.name"),
        Column("staff_id", "person.col.staff_id"),
        Column("department", "person.col.department"),
        Column("quantitative_coverage", "person.col.coverage", "rate"),
        Column("indicators_scored", "person.col.scored", "int"),
        Column("indicators_missing", "person.col.missing", "int"),
        Column("reason", "person.col.reason"),
    ]


def _with_reason(insufficient: pd.DataFrame, minimum: float | None, lang: str) -> pd.DataFrame:
    return insufficient.assign(
        reason=[
            t(
                "rankings.insufficient.reason",
                lang,
                coverage=pc.percent(coverage),
                min=pc.percent(minimum),
            )
            for coverage in insufficient["quantitative_coverage"]
        ]
    )


def _insufficient_card(insufficient: pd.DataFrame, minimum: float | None, lang: str) -> dbc.Card:
    explanation = pc.note(
        t("rankings.insufficient.note", lang, min=pc.percent(minimum)),
        "rankings-insufficient-note",
    )
    if insufficient.empty:
        body = [
            html.Div(t("rankings.insufficient.none", lang), className="text-muted"),
            explanation,
        ]
    else:
        body = [
            pc.grid(
                "rankings-insufficient-grid",
                _with_reason(insufficient, minimum, lang),
                _insufficient_columns(),
                lang,
                markdown=("name_link",),
            ),
            explanation,
        ]
    return dbc.Card(dbc.CardBody(body), class_name="chart-card insufficient-card")


HISTOGRAM_COLUMNS = [
    Column("band", "person.col.band"),
    Column("people", "person.col.people", "int"),
]


def _bands_table(bands: pd.DataFrame) -> pd.DataFrame:
    return bands.assign(
        band=[
            f"{int(a)}–{int(b)}" for a, b in zip(bands["bin_start"], bands["bin_end"], strict=True)
        ]
    )


def _distribution(bands: pd.DataFrame, category: str, period: str, lang: str) -> dbc.Card:
    title = t("rankings.histogram.title", lang, category=category_name(category, lang))
    return chart_card(
        "rankings-histogram",
        pc.histogram_figure(bands, f"{title} · {period}", lang),
        pc.grid("rankings-histogram-grid", _bands_table(bands), HISTOGRAM_COLUMNS, lang),
        lang,
        note=t("rankings.histogram.note", lang),
    )


# -- filters ----------------------------------------------------------------------------------


def _filter_bar(
    period_options: list[dict],
    period: str | None,
    categories: pd.DataFrame,
    offices: list[str],
    scope: str | None,
    lang: str,
) -> dbc.Card:
    category_options = [
        {"label": category_name(c, lang), "value": c} for c in categories["role_category"]
    ]
    if scope is None:
        office_options = [
            {"label": t("person.filter.all_offices", lang), "value": pc.ALL_OFFICES}
        ] + [{"label": office, "value": office} for office in offices]
        office_value = pc.ALL_OFFICES
    else:
        office_options = [{"label": scope if scope != NO_OFFICE else "—", "value": scope}]
        office_value = scope
    office_select = dbc.Select(
        id="rankings-office",
        options=office_options,
        value=office_value,
        disabled=scope is not None,
    )
    if scope is not None:
        office_select = html.Div(
            [office_select, html.Div(t("rankings.office_scope", lang), className="field-hint")]
        )
    return pc.filter_bar(
        [
            pc.labelled(
                t("filter.period_type", lang),
                pc.period_type_radio("rankings-period-type", DEFAULT_PERIOD_TYPE, lang),
                "rankings-period-type",
                xs=12,
                md="auto",
            ),
            pc.labelled(
                t("person.filter.period", lang),
                dbc.Select(id="rankings-period", options=period_options, value=period),
                "rankings-period",
                xs=12,
                md=4,
                lg=3,
            ),
            pc.labelled(
                t("person.filter.category", lang),
                dbc.Select(
                    id="rankings-category",
                    options=category_options,
                    value=category_options[0]["value"] if category_options else None,
                ),
                "rankings-category",
                xs=6,
                md=3,
                lg=2,
            ),
            pc.labelled(
                t("person.filter.office", lang), office_select, "rankings-office", xs=6, md=3, lg=2
            ),
            dbc.Col(
                pc.export_button("rankings-export", t("person.export.rankings", lang)),
                xs=12,
                lg=True,
                class_name="text-lg-end",
            ),
        ]
    )
