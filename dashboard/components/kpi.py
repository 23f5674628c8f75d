"""The KPI card: one figure, its unit, its change against the previous period and a sparkline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.figures import sparkline
from dashboard.components.formatting import Change, change, fmt_value
from dashboard.i18n import t

ARROWS = {1: "▲", -1: "▼", 0: "■"}


@dataclass(frozen=True)
class KpiSpec:
    """One KPI: the metric it shows, how its value reads, and which way is better."""

    metric: str
    kind: str  # a kind of components.formatting: count, rate, days, score
    better: str  # 'higher' or 'lower'
    unit_key: str | None  # i18n key of the unit shown beside the value (rates carry their %)


# The town's service figures, as the overview and the public page both show them.
SERVICE_KPIS = (
    KpiSpec("approvals_completed", "count", "higher", "unit.cases"),
    KpiSpec("approvals_on_time_rate", "rate", "higher", None),
    KpiSpec("approvals_avg_working_days", "days", "lower", "unit.working_days"),
    KpiSpec("tickets_closed", "count", "higher", "unit.cases"),
    KpiSpec("tickets_satisfaction_rate", "rate", "higher", None),
    KpiSpec("cases_closed", "count", "higher", "unit.cases"),
)


def change_badge(change: Change | None, lang: str, caption_key: str) -> html.Div:
    """'▲ +5.2% vs previous month', green when good news, red when bad, grey otherwise."""
    if change is None:
        return html.Div(t("change.no_previous", lang), className="kpi-change text-muted")
    tone = {True: "kpi-good", False: "kpi-bad", None: "kpi-flat"}[change.good]
    verdict = {True: "change.better", False: "change.worse", None: "change.flat"}[change.good]
    return html.Div(
        [
            html.Span(t(caption_key, lang), className="text-muted me-1"),
            html.Span(
                f"{ARROWS[change.direction]} {change.text}",
                className=f"kpi-delta {tone}",
                title=t(verdict, lang),
            ),
        ],
        className="kpi-change",
    )


def kpi_card(
    card_id: str,
    label: str,
    value: str,
    unit: str,
    change: Change | None,
    trend: dict | None,
    lang: str,
    caption_key: str = "change.vs_previous_month",
) -> dbc.Card:
    """A card whose value and change carry ids `{card_id}-value` / `{card_id}-change`."""
    body = [
        html.Div(label, className="kpi-label", id=f"{card_id}-label"),
        html.Div(
            [
                html.Span(value, className="kpi-value", id=f"{card_id}-value"),
                html.Span(unit, className="kpi-unit") if unit else None,
            ],
            className="kpi-figure",
        ),
        html.Div(change_badge(change, lang, caption_key), id=f"{card_id}-change"),
    ]
    if trend is not None:
        body.append(
            html.Div(
                [
                    dcc.Graph(
                        figure=trend,
                        config={"displayModeBar": False, "responsive": True},
                        className="kpi-sparkline",
                    ),
                    html.Div(t("kpi.trend", lang), className="kpi-trend-caption"),
                ],
                **{"aria-label": f"{label} · {t('kpi.trend', lang)}"},
            )
        )
    return dbc.Card(dbc.CardBody(body), class_name="kpi-card h-100", id=card_id)


def service_kpi_cards(
    monthly: pd.DataFrame, month: date | None, lang: str, id_prefix: str, trend_months: int = 12
) -> list[dbc.Col]:
    """One card per service figure for `month`, with the change against the month before and
    a sparkline of the months up to it. Card ids are `{id_prefix}-kpi-{metric}`."""
    upto = monthly[monthly["period_start"] <= month] if month else monthly.iloc[0:0]
    trend = upto.tail(trend_months)
    current = upto.iloc[-1] if len(upto) and upto["period_start"].iloc[-1] == month else None
    previous_month = (pd.Timestamp(month) - pd.DateOffset(months=1)).date() if month else None
    before = upto[upto["period_start"] == previous_month]
    previous = before.iloc[0] if len(before) else None
    cards = []
    for kpi in SERVICE_KPIS:
        value = current[kpi.metric] if current is not None else None
        prior = previous[kpi.metric] if previous is not None else None
        cards.append(
            dbc.Col(
                kpi_card(
                    f"{id_prefix}-kpi-{kpi.metric}",
                    t(f"metric.{kpi.metric}", lang),
                    fmt_value(value, kpi.kind),
                    t(kpi.unit_key, lang) if kpi.unit_key else "",
                    change(value, prior, kpi.kind, kpi.better, lang),
                    sparkline(list(trend["period_start"]), list(trend[kpi.metric]), kpi.kind, lang),
                    lang,
                )
            )
        )
    return cards
