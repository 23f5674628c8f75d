"""公开信息 — the town's service figures by month, for anyone, without signing in.

Everything on this page comes from `marts.public_service_summary` through the `public_*`
functions of `warehouse.report_queries`, which refuse to read any other table: aggregates
only, no name, no id, and an office figure only where the mart publishes it (k or more people
behind it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.auth import guard_layout
from dashboard.components import person as pc
from dashboard.components import report_figures as rf
from dashboard.components.export import to_csv_bytes
from dashboard.components.formatting import as_date, period_label
from dashboard.components.kpi import SERVICE_KPIS, service_kpi_cards
from dashboard.components.layout import lazy_tables, page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.reports import chart_with_table, compact
from dashboard.components.table import Column
from dashboard.context import warehouse_path
from dashboard.i18n import current_lang, t
from warehouse import report_queries as rq
from warehouse.queries import WarehouseUnavailable

dash.register_page(
    __name__,
    path="/public",
    name="公开信息",
    title=lambda: f"{t('page.public')} · {t('app.title')}",
    order=60,
    label_key="page.public",
)
lazy_tables("public")

TREND_MONTHS = 12
KPIS = SERVICE_KPIS
TRENDS = (
    ("public.trend.volumes", ("approvals_completed", "tickets_closed", "cases_closed"), "count"),
    ("public.trend.rates", ("approvals_on_time_rate", "tickets_satisfaction_rate"), "rate"),
    ("public.trend.days", ("approvals_avg_working_days",), "days"),
)


@guard_layout("public")
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.public", lang), t("public.subtitle", lang))
    path = warehouse_path()
    try:
        monthly = rq.public_town_monthly(path)
    except WarehouseUnavailable:
        return html.Div([header, warehouse_missing_notice(lang)])
    months = sorted(monthly["period_start"], reverse=True)
    month = months[0] if months else None
    cards, offices, label = month_sections(path, monthly, month, lang)
    return html.Div(
        [
            header,
            _filter_bar(months, month, lang),
            section_title(t("public.section.kpis", lang), "public-month-label", label),
            dbc.Row(
                cards, id="public-kpis", class_name="row-cols-1 row-cols-md-2 row-cols-xl-3 g-3"
            ),
            section_title(t("public.section.trends", lang)),
            _trends(monthly, lang),
            section_title(t("public.section.offices", lang), "public-offices-label", label),
            html.Div(offices, id="public-offices"),
            html.Div(
                [
                    html.P(t("public.privacy", lang)),
                    html.P(
                        [
                            t("public.method_link", lang) + " ",
                            html.A(t("page.methodology", lang), href="/methodology"),
                        ]
                    ),
                ],
                className="public-footnote",
            ),
            dcc.Download(id="public-download"),
        ],
        className="public-page",
    )


@callback(
    Output("public-kpis", "children"),
    Output("public-offices", "children"),
    Output("public-month-label", "children"),
    Output("public-offices-label", "children"),
    Input("public-month", "value"),
    prevent_initial_call=True,
)
def update_month(month: str | None) -> tuple:
    path = warehouse_path()
    cards, offices, label = month_sections(
        path, rq.public_town_monthly(path), as_date(month) if month else None, current_lang()
    )
    return cards, offices, label, label


@callback(
    Output("public-download", "data"),
    Input("public-download-button", "n_clicks"),
    prevent_initial_call=True,
)
def download_csv(n_clicks: int | None):
    if not n_clicks:
        return dash.no_update
    lang = current_lang()
    frame = csv_frame(rq.public_town_monthly(warehouse_path()), lang)
    return dcc.send_bytes(to_csv_bytes(frame), t("public.csv_name", lang))


# -- sections ---------------------------------------------------------------------------------


def month_sections(
    path: Path, monthly: pd.DataFrame, month: date | None, lang: str
) -> tuple[list, dbc.Card | html.Div, str]:
    """The KPI cards and the offices table of one month, and the month's label."""
    if month is None:
        empty = html.Div(t("empty.period", lang), className="text-muted p-3")
        return [empty], empty, ""
    return (
        kpi_cards(monthly, month, lang),
        _offices(rq.public_office_month(path, month), lang),
        period_label("month", month, lang),
    )


def _filter_bar(months: list[date], month: date | None, lang: str) -> dbc.Card:
    options = [{"label": period_label("month", m, lang), "value": m.isoformat()} for m in months]
    return pc.filter_bar(
        [
            pc.labelled(
                t("filter.month", lang),
                dbc.Select(
                    id="public-month",
                    options=options,
                    value=month.isoformat() if month else None,
                ),
                "public-month",
                xs=12,
                md=4,
                lg=3,
            ),
            dbc.Col(
                pc.export_button("public-download-button", t("public.download", lang)),
                xs="auto",
                class_name="ms-auto",
            ),
        ]
    )


def kpi_cards(monthly: pd.DataFrame, month: date, lang: str) -> list[dbc.Col]:
    """One card per service figure for `month`, with the change against the month before."""
    return service_kpi_cards(monthly, month, lang, "public", TREND_MONTHS)


def _metric_columns(first: Column, lang: str) -> list[Column]:
    columns = [first]
    for kpi in KPIS:
        header = t(f"metric.{kpi.metric}", lang)
        if kpi.kind == "days":
            header = f"{header}（{t('unit.working_days', lang)}）"
        columns.append(Column(kpi.metric, f"metric.{kpi.metric}", kpi.kind, header=header))
    return columns


def _trends(monthly: pd.DataFrame, lang: str) -> dbc.Row:
    table = monthly.assign(month=[period_label("month", m, lang) for m in monthly["period_start"]])
    table = table.iloc[::-1]
    columns = _metric_columns(Column("month", "col.month"), lang)
    cards = []
    for i, (title_key, metrics, kind) in enumerate(TRENDS):
        figure = rf.trend_figure(monthly, metrics, kind, t(title_key, lang), lang)
        grid = compact(
            pc.grid(
                f"public-trend-grid-{i}",
                table,
                [columns[0], *[c for c in columns if c.field in metrics]],
                lang,
                page_size=12,
            )
        )
        cards.append(dbc.Col(chart_with_table(f"public-trend-graph-{i}", figure, grid, lang), lg=4))
    return dbc.Row(cards, class_name="g-3")


def _offices(offices: pd.DataFrame, lang: str) -> dbc.Card:
    columns = _metric_columns(Column("office", "public.col.office"), lang)
    return dbc.Card(
        dbc.CardBody(
            [
                compact(pc.grid("public-offices-grid", offices, columns, lang)),
                pc.note(t("public.offices.note", lang)),
            ]
        ),
        class_name="chart-card",
    )


def csv_frame(monthly: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The town's monthly figures as published: rates in per cent, headers in `lang`."""
    frame = pd.DataFrame({t("col.month", lang): [f"{m:%Y-%m}" for m in monthly["period_start"]]})
    for kpi in KPIS:
        values = monthly[kpi.metric]
        header = t(f"metric.{kpi.metric}", lang)
        if kpi.kind == "rate":
            frame[f"{header} (%)"] = (values * 100).round(1)
        elif kpi.kind == "days":
            frame[f"{header} ({t('unit.working_days', lang)})"] = values.round(2)
        else:
            frame[header] = values.round(0).astype("Int64")
    return frame
