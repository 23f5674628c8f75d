"""领导驾驶舱 — the leadership overview: town KPIs, offices compared, indicator medians.

The layout is built with the latest month already shown; the callbacks rebuild the same
sections with the same functions when the month or the period type changes, and the export
writes the same tables, for the same month and period type, to one workbook.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.auth import guard_layout
from dashboard.components import person as pc
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.figures import office_scores_figure, service_volume_figure
from dashboard.components.formatting import (
    INDICATOR_KINDS,
    as_date,
    fmt_value,
    period_containing,
    period_label,
)
from dashboard.components.kpi import SERVICE_KPIS, service_kpi_cards
from dashboard.components.layout import (
    chart_card,
    lazy_tables,
    page_header,
    section_title,
    tabbed_card,
)
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.table import Column, data_grid, records
from dashboard.context import warehouse_path
from dashboard.i18n import LABELS, category_name, current_lang, pick, t, unit_name
from warehouse import queries
from warehouse.queries import WarehouseUnavailable

dash.register_page(
    __name__,
    path="/",
    name="领导驾驶舱",
    title=lambda: f"{t('page.overview')} · {t('app.title')}",
    order=0,
    label_key="page.overview",
)
lazy_tables("overview")

TREND_MONTHS = 12


KPIS = SERVICE_KPIS

CATEGORY_ORDER = [key.removeprefix("category.") for key in LABELS if key.startswith("category.")]
KIND_ORDER = ["volume", "rate", "ratio", "derived", "rating"]
MEDIAN_COLUMNS = [
    "role_category",
    "indicator_code",
    "name_zh",
    "name_en",
    "unit",
    "kind",
    "people",
    "median_value",
    "median_score",
]


@guard_layout("overview")
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header_args = (t("page.overview", lang), t("overview.subtitle", lang))
    path = warehouse_path()
    try:
        kpis = queries.town_kpis(path)
        as_of = queries.data_as_of(path)
    except WarehouseUnavailable:
        return html.Div([page_header(*header_args), warehouse_missing_notice(lang)])

    months = sorted(kpis["period_start"], reverse=True)
    month = months[0] if months else None
    period_type = "month"
    period = period_containing(period_type, month) if month else None
    offices, indicators, label = comparison(path, period_type, period, lang)
    return html.Div(
        [
            page_header(*header_args, aside=_as_of_badge(as_of, lang)),
            _filter_bar(months, month, period_type, lang),
            section_title(
                t("overview.section.kpis", lang),
                "overview-kpi-period",
                period_label("month", month, lang) if month else "",
            ),
            dbc.Row(
                kpi_cards(kpis, month, lang),
                id="overview-kpis",
                class_name="row-cols-1 row-cols-md-2 row-cols-xl-3 g-3",
            ),
            section_title(t("overview.section.offices", lang), "overview-period", label),
            html.Div(offices, id="overview-offices"),
            section_title(
                t("overview.section.indicators", lang), "overview-indicators-period", label
            ),
            html.Div(indicators, id="overview-indicators"),
            results_section(path, lang),
            dcc.Download(id="overview-download"),
        ],
        className="overview-page",
    )


def warm(path: Path) -> None:
    """Memoize the queries of every period the page offers, newest first (dashboard.warmup):
    a leader stepping back through months, or over to quarters and years, meets no cold query
    after a refresh. Nothing is shown to anyone, so nothing is audited."""
    kpis = queries.town_kpis(path)
    queries.data_as_of(path)
    queries.grade_distribution(path)
    queries.utilization_status(path)
    months = list(kpis["period_start"])
    for period_type in queries.PERIOD_TYPES:
        for period in sorted({period_containing(period_type, m) for m in months}, reverse=True):
            _period_reads(path, period_type, period)


# -- assessment results -----------------------------------------------------------------------

GRADE_COLUMNS = [
    Column("unit", "col.unit"),
    Column("assessed", "col.assessed", "int"),
    Column("excellent_quota", "col.excellent_quota", "int"),
    Column("recommended_excellent", "col.recommended_excellent", "int"),
    Column("final_excellent", "col.final_excellent", "int"),
    Column("final_competent", "col.final_competent", "int"),
    Column("final_basic", "col.final_basic", "int"),
    Column("final_incompetent", "col.final_incompetent", "int"),
    Column("final_pending", "col.final_pending", "int"),
]
STATUS_ITEMS = ("actions", "applied", "overdue", "not_notified", "undecided", "open_requests")


def results_section(path, lang: str) -> html.Div:
    """Grades against the 优秀 quota and whether results were applied, for the latest year."""
    grades = queries.grade_distribution(path)
    status = queries.utilization_status(path)
    if grades.empty or status.empty or status["period_start"].isna().all():
        return html.Div()
    year = period_label("year", grades["period_start"].iloc[0], lang)
    row = status.iloc[0]
    tiles = [
        dbc.Col(
            html.Div(
                [
                    html.Div(t(f"overview.results.{item}", lang), className="kpi-label"),
                    html.Div(
                        f"{int(row[item]):,}",
                        className="kpi-value",
                        id=f"overview-results-{item}",
                    ),
                ],
                className="results-tile",
            ),
            xs=6,
            md=4,
            xl=2,
        )
        for item in STATUS_ITEMS
    ]
    return html.Div(
        [
            section_title(t("overview.section.results", lang), "overview-results-year", year),
            dbc.Row(tiles, class_name="g-3 mb-3"),
            data_grid("overview-grades-grid", grades, GRADE_COLUMNS, lang),
            html.P(t("overview.results.note", lang), className="text-muted small mt-2"),
        ],
        id="overview-results",
    )


@callback(
    Output("overview-kpis", "children"),
    Output("overview-kpi-period", "children"),
    Input("overview-month", "value"),
    prevent_initial_call=True,
)
def update_kpis(month: str) -> tuple[list, str]:
    lang = current_lang()
    kpis = queries.town_kpis(warehouse_path())
    return kpi_cards(kpis, as_date(month), lang), period_label("month", month, lang)


@callback(
    Output("overview-offices", "children"),
    Output("overview-indicators", "children"),
    Output("overview-period", "children"),
    Output("overview-indicators-period", "children"),
    Input("overview-month", "value"),
    Input("overview-period-type", "value"),
    prevent_initial_call=True,
)
def update_comparison(month: str, period_type: str) -> tuple:
    lang = current_lang()
    period = period_containing(period_type, month)
    offices, indicators, label = comparison(warehouse_path(), period_type, period, lang)
    return offices, indicators, label, label


@callback(
    Output("overview-download", "data"),
    Input("overview-export", "n_clicks"),
    State("overview-month", "value"),
    State("overview-period-type", "value"),
    prevent_initial_call=True,
)
def export_overview(n_clicks: int, month: str | None, period_type: str | None):
    if not n_clicks or not month:
        return dash.no_update
    period_type = period_type or "month"
    lang = current_lang()
    sheets = workbook(warehouse_path(), as_date(month), period_type, lang)
    filename = f"overview_{period_type}_{period_containing(period_type, month).isoformat()}.xlsx"
    return dcc.send_bytes(to_xlsx_bytes(sheets), filename)


def workbook(path: Path, month: date, period_type: str, lang: str) -> dict[str, pd.DataFrame]:
    """The page's tables, one sheet each with the page's headers: the town's figures month by
    month up to `month`, the offices and indicators of the period holding it, and the grades
    and result use of the latest year."""
    period = period_containing(period_type, month)
    kpis = queries.town_kpis(path)
    kpis = kpis[kpis["period_start"] <= month].sort_values("period_start", ascending=False)
    kpi_columns = [Column("month", "col.month")] + _service_columns(lang)[1:]
    months = kpis.assign(month=[period_label("month", m, lang) for m in kpis["period_start"]])
    medians = queries.indicator_medians(path, period_type, period)
    medians = _ordered(medians if not medians.empty else pd.DataFrame(columns=MEDIAN_COLUMNS))
    medians = medians.assign(
        category=[category_name(c, lang) for c in medians["role_category"]],
        indicator=[pick(row, "name", lang) for row in records(medians)],
        median=[_indicator_value(row, lang) for row in records(medians)],
    )
    sheets = {
        t("overview.sheet.kpis", lang): pc.sheet(months, kpi_columns, lang),
        t("overview.sheet.offices", lang): pc.sheet(
            queries.office_comparison(path, period_type, period), OFFICE_COLUMNS, lang
        ),
        t("overview.sheet.service", lang): pc.sheet(
            queries.department_service(path, period_type, period), _service_columns(lang), lang
        ),
        t("overview.sheet.indicators", lang): pc.sheet(medians, MEDIAN_GRID_COLUMNS, lang),
    }
    grades = queries.grade_distribution(path)
    status = queries.utilization_status(path)
    if not grades.empty:
        sheets[t("overview.sheet.grades", lang)] = pc.sheet(grades, GRADE_COLUMNS, lang)
    if not status.empty and not status["period_start"].isna().all():
        row = status.iloc[0]
        items = pd.DataFrame(
            {
                "item": [t(f"overview.results.{item}", lang) for item in STATUS_ITEMS],
                "count": [int(row[item]) for item in STATUS_ITEMS],
            }
        )
        status_columns = [
            Column("item", "overview.col.item"),
            Column("count", "overview.col.count"),
        ]
        sheets[t("overview.sheet.status", lang)] = pc.sheet(items, status_columns, lang)
    return sheets


def comparison(
    path: Path, period_type: str, period: date | None, lang: str
) -> tuple[dbc.Row, dbc.Card, str]:
    """The offices and indicators sections for one period, and the period's label."""
    if period is None:
        return (
            offices_section(pd.DataFrame(), pd.DataFrame(), "", lang),
            indicators_section(pd.DataFrame(), lang),
            "",
        )
    offices, service, medians = _period_reads(path, period_type, period)
    label = period_label(period_type, period, lang)
    if not offices["is_complete_period"].all():
        label = f"{label} {t('period.partial', lang)}"
    return (
        offices_section(offices, service, label, lang),
        indicators_section(medians, lang),
        label,
    )


def _period_reads(
    path: Path, period_type: str, period: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What a period's offices and indicators sections read (and the warm-up memoizes):
    the office comparison, the offices' service figures and the indicators' medians."""
    return (
        queries.office_comparison(path, period_type, period),
        queries.department_service(path, period_type, period),
        queries.indicator_medians(path, period_type, period),
    )


# -- header and filters -----------------------------------------------------------------------


def _as_of_badge(as_of: object, lang: str) -> html.Div:
    if as_of is None:
        text = t("asof.none", lang)
    else:
        text = t("asof.value", lang, time=f"{pd.Timestamp(as_of):%Y-%m-%d %H:%M}")
    return html.Div(
        [html.Span(t("asof.label", lang), className="asof-label"), html.Span(text)],
        className="asof-badge",
        id="overview-as-of",
    )


def _filter_bar(months: list[date], month: date | None, period_type: str, lang: str) -> dbc.Card:
    month_options = [
        {"label": period_label("month", m, lang), "value": m.isoformat()} for m in months
    ]
    type_options = [
        {"label": t(f"period_type.{pt}", lang), "value": pt} for pt in queries.PERIOD_TYPES
    ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("filter.month", lang), html_for="overview-month"),
                            dbc.Select(
                                id="overview-month",
                                options=month_options,
                                value=month.isoformat() if month else None,
                            ),
                        ],
                        xs=12,
                        md=4,
                        lg=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(
                                t("filter.period_type", lang), html_for="overview-period-type"
                            ),
                            html.Div(
                                dbc.RadioItems(
                                    id="overview-period-type",
                                    options=type_options,
                                    value=period_type,
                                    class_name="btn-group",
                                    input_class_name="btn-check",
                                    label_class_name="btn btn-outline-primary",
                                    label_checked_class_name="active",
                                ),
                                className="radio-group",
                            ),
                        ],
                        xs=12,
                        md="auto",
                    ),
                    dbc.Col(
                        pc.export_button("overview-export", t("overview.export", lang)),
                        xs="auto",
                        class_name="ms-auto",
                    ),
                ],
                class_name="g-3 align-items-end",
            )
        ),
        class_name="filter-bar",
    )


# -- town KPIs --------------------------------------------------------------------------------


def kpi_cards(kpis: pd.DataFrame, month: date | None, lang: str) -> list[dbc.Col]:
    """One card per KPI for `month`, with the change against the month before."""
    return service_kpi_cards(kpis, month, lang, "overview", TREND_MONTHS)


# -- offices ----------------------------------------------------------------------------------

OFFICE_COLUMNS = [
    Column("department", "col.department"),
    Column("staff", "col.staff", "int"),
    Column("scored", "col.scored", "int"),
    Column("avg_composite", "col.avg_composite", "score"),
    Column("median_composite", "col.median_composite", "score"),
    Column("min_composite", "col.min_composite", "score"),
    Column("max_composite", "col.max_composite", "score"),
]


def _service_columns(lang: str) -> list[Column]:
    columns = [Column("department", "col.department")]
    for kpi in KPIS:
        header = t(f"metric.{kpi.metric}", lang)
        if kpi.kind == "days":
            header = f"{header}（{t('unit.working_days', lang)}）"
        columns.append(Column(kpi.metric, f"metric.{kpi.metric}", kpi.kind, header=header))
    return columns


def offices_section(offices: pd.DataFrame, service: pd.DataFrame, label: str, lang: str) -> dbc.Row:
    """Composite scores and service volumes per office, each chart with its table."""
    offices = offices.reindex(columns=[c.field for c in OFFICE_COLUMNS])
    service = service.reindex(columns=[c.field for c in _service_columns(lang)])
    scores_title = f"{t('overview.office.title', lang)} · {label}"
    service_title = f"{t('overview.service.title', lang)} · {label}"
    return dbc.Row(
        [
            dbc.Col(
                chart_card(
                    "overview-office-graph",
                    office_scores_figure(offices, scores_title, lang),
                    data_grid("overview-office-grid", offices, OFFICE_COLUMNS, lang),
                    lang,
                ),
                lg=6,
            ),
            dbc.Col(
                chart_card(
                    "overview-service-graph",
                    service_volume_figure(service, service_title, lang),
                    data_grid("overview-service-grid", service, _service_columns(lang), lang),
                    lang,
                    note=t("overview.service.note", lang),
                ),
                lg=6,
            ),
        ],
        class_name="g-3",
    )


# -- indicator medians ------------------------------------------------------------------------

MEDIAN_GRID_COLUMNS = [
    Column("category", "col.category"),
    Column("indicator", "col.indicator"),
    Column("median", "col.median_value"),
    Column("median_score", "col.median_score", "score"),
    Column("people", "col.people", "int"),
]


def indicators_section(medians: pd.DataFrame, lang: str) -> dbc.Card:
    """The median of each indicator per job category, as cards and as a table."""
    if medians.empty:
        medians = pd.DataFrame(columns=MEDIAN_COLUMNS)
    medians = _ordered(medians)
    if medians.empty:
        blocks: html.Div | dbc.Row = html.Div(t("empty.period", lang), className="text-muted p-3")
    else:
        blocks = dbc.Row(
            [
                dbc.Col(_category_block(category, rows, lang))
                for category, rows in medians.groupby("role_category", sort=False)
            ],
            class_name="row-cols-1 row-cols-md-2 row-cols-xl-5 g-3",
        )
    table = medians.assign(
        category=[category_name(c, lang) for c in medians["role_category"]],
        indicator=[pick(row, "name", lang) for row in records(medians)],
        median=[_indicator_value(row, lang) for row in records(medians)],
    )
    grid = data_grid("overview-indicators-grid", table, MEDIAN_GRID_COLUMNS, lang)
    note = t("overview.indicators.note", lang)
    return tabbed_card(blocks, grid, lang, note=note, main_label_key="tab.summary")


def _ordered(medians: pd.DataFrame) -> pd.DataFrame:
    def rank(values: pd.Series, order: list[str]) -> pd.Series:
        return values.map(lambda v: order.index(v) if v in order else len(order))

    return medians.assign(
        _category=rank(medians["role_category"], CATEGORY_ORDER),
        _kind=rank(medians["kind"], KIND_ORDER),
    ).sort_values(["_category", "_kind", "indicator_code"], ignore_index=True)


def _indicator_value(row: dict, lang: str) -> str:
    kind = INDICATOR_KINDS.get(row["kind"], "score")
    text = fmt_value(row["median_value"], kind)
    return text if kind == "rate" else f"{text} {unit_name(row['unit'], lang)}"


def _category_block(category: str, rows: pd.DataFrame, lang: str) -> html.Div:
    items = [
        html.Li(
            [
                html.Div(
                    [
                        html.Span(pick(row, "name", lang), className="ind-name"),
                        html.Span(_indicator_value(row, lang), className="ind-value"),
                    ],
                    className="ind-line",
                ),
                html.Div(
                    t("overview.indicators.people", lang, n=row["people"]),
                    className="ind-meta",
                ),
            ],
            className="ind-item",
        )
        for row in records(rows)
    ]
    return html.Div(
        [html.H3(category_name(category, lang), className="ind-category"), html.Ul(items)],
        className="ind-block",
    )
