"""我的考核 — the signed-in person's own figures, and how their composite is computed.

The person is always `viewer().staff_id`, read on the server from the session: nothing in the
URL or the browser chooses whose figures are shown, and the warehouse reads them for the asker
(`dashboard.context.asker`), which refuses anyone else's. The page shows the person's position
in their category only as a percentile, never anyone else's name, id or score.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.auth import guard_layout, viewer
from dashboard.components import person as pc
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.formatting import fmt_value, is_missing, period_label
from dashboard.components.layout import chart_card, page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.table import Column
from dashboard.context import asker, warehouse_path
from dashboard.i18n import category_name, current_lang, pick, t
from warehouse import person_queries as pq
from warehouse.queries import WarehouseUnavailable
from warehouse.scope import Asker

dash.register_page(
    __name__,
    path="/me",
    name="我的考核",
    title=lambda: f"{t('page.me')} · {t('app.title')}",
    order=40,
    label_key="page.me",
)

DEFAULT_PERIOD_TYPE = "quarter"
# The person's own monthly figures; the category median beside them stays on the server.
OWN_TREND = ["period_start", "composite_score", "insufficient_data"]


@guard_layout("me")
@pc.one_connection
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.me", lang), t("me.subtitle", lang))
    staff_id = viewer().staff_id
    if not staff_id:
        return html.Div(
            [header, pc.notice(t("me.no_record", lang), "me-no-record", "info")],
            className="me-page",
        )
    path = warehouse_path()
    who = asker()
    try:
        options, period = _period_choices(path, who, staff_id, DEFAULT_PERIOD_TYPE, lang)
    except WarehouseUnavailable:
        return html.Div([header, warehouse_missing_notice(lang)])
    return html.Div(
        [
            header,
            pc.filter_bar(
                [
                    pc.labelled(
                        t("filter.period_type", lang),
                        pc.period_type_radio("me-period-type", DEFAULT_PERIOD_TYPE, lang),
                        "me-period-type",
                        xs=12,
                        md="auto",
                    ),
                    pc.labelled(
                        t("person.filter.period", lang),
                        dbc.Select(id="me-period", options=options, value=period),
                        "me-period",
                        xs=12,
                        md=4,
                        lg=3,
                    ),
                    dbc.Col(
                        pc.export_button("me-export", t("person.export.me", lang)),
                        xs=12,
                        lg=True,
                        class_name="text-lg-end",
                    ),
                ]
            ),
            html.Div(my_view(path, who, staff_id, period, lang), id="me-content"),
            dcc.Download(id="me-download"),
        ],
        className="me-page",
    )


@callback(
    Output("me-period", "options"),
    Output("me-period", "value"),
    Input("me-period-type", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_periods(period_type: str) -> tuple[list[dict], str | None]:
    staff_id = viewer().staff_id
    if not staff_id:
        return [], None
    return _period_choices(warehouse_path(), asker(), staff_id, period_type, current_lang())


@callback(
    Output("me-content", "children"),
    Input("me-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_view(period: str | None) -> list:
    lang = current_lang()
    staff_id = viewer().staff_id
    if not staff_id:
        return [pc.notice(t("me.no_record", lang), "me-no-record", "info")]
    return my_view(warehouse_path(), asker(), staff_id, period, lang)


@callback(
    Output("me-download", "data"),
    Input("me-export", "n_clicks"),
    dash.State("me-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def export_mine(n_clicks: int, period: str | None):
    staff_id = viewer().staff_id
    decoded = pc.decode_period(period)
    if not n_clicks or not staff_id or decoded is None:
        return dash.no_update
    lang = current_lang()
    sheets = my_report(warehouse_path(), asker(), staff_id, decoded, lang)
    filename = f"my_assessment_{decoded[0]}_{decoded[1].isoformat()}.xlsx"
    return dcc.send_bytes(to_xlsx_bytes(sheets), filename)


def _period_choices(
    path: Path, who: Asker, staff_id: str, period_type: str, lang: str
) -> tuple[list[dict], str | None]:
    scores = pq.person_scores(path, who, staff_id, period_type).iloc[::-1]
    return pc.period_options(
        period_type, list(scores["period_start"]), list(scores["is_complete_period"]), lang
    )


# -- the view ---------------------------------------------------------------------------------


def my_view(path: Path, who: Asker, staff_id: str, period: str | None, lang: str) -> list:
    """The person's identity line, scores, the computation step by step, trend and results."""
    page = pq.person_page(path, who, staff_id)
    parts: list = []
    if len(page["profile"]):
        parts.append(_identity(page["profile"].iloc[0], lang))
    decoded = pc.decode_period(period)
    if decoded is None:
        parts.append(pc.notice(t("me.no_scores", lang), "me-no-scores"))
    else:
        bundle = pq.person_period(path, who, staff_id, *decoded)
        steps = pq.score_steps(path, who, staff_id, *decoded)
        parts += _period_sections(decoded, bundle, steps, lang)
    trend = page["trend"][OWN_TREND]
    parts += [
        section_title(t("me.section.trend", lang)),
        chart_card(
            "me-trend-graph",
            pc.trend_figure(trend, t("people.trend.title", lang), lang, with_median=False),
            pc.grid("me-trend-grid", _trend_table(trend, lang), TREND_COLUMNS, lang),
            lang,
            note=t("me.trend.note", lang),
        ),
        section_title(t("me.section.results", lang)),
        dbc.Card(
            dbc.CardBody(
                pc.grid_or_note(
                    "me-results-grid",
                    _results_table(page["results"], lang),
                    RESULT_COLUMNS,
                    lang,
                )
            ),
            class_name="chart-card",
        ),
    ]
    return parts


def _identity(profile: pd.Series, lang: str) -> html.Div:
    facts = [
        profile.get("name"),
        profile.get("staff_id"),
        profile.get("department"),
        profile.get("position"),
        category_name(str(profile.get("role_category")), lang),
    ]
    return html.Div(
        " · ".join(str(f) for f in facts if isinstance(f, str) and f),
        className="me-identity",
        id="me-identity",
    )


def _period_sections(
    decoded: tuple[str, date], bundle: dict, steps: pd.DataFrame, lang: str
) -> list:
    period_type, start = decoded
    cards = pc.score_cards("me", bundle["scores"], start, lang, ranks=False)
    indicators = bundle["indicators"]
    if cards is None or steps.empty:
        return [pc.notice(t("me.no_scores", lang), "me-no-scores")]
    step = steps.iloc[0]
    sections: list = [
        section_title(
            t("me.section.summary", lang), "me-period-label", period_label(period_type, start, lang)
        ),
        cards,
    ]
    if bool(step["insufficient_data"]):
        sections.append(
            pc.notice(
                t("person.insufficient", lang, coverage=pc.percent(step["quantitative_coverage"])),
                "me-insufficient",
                "warning",
            )
        )
    sections += [
        section_title(t("me.section.steps", lang)),
        dbc.Card(
            dbc.CardBody(score_steps_view(indicators, step, lang)),
            class_name="chart-card steps-card",
        ),
    ]
    return sections


# -- the arithmetic, step by step -------------------------------------------------------------

STEP_COLUMNS = [
    Column("indicator", "person.col.indicator"),
    Column("value_text", "person.col.value"),
    Column("n", "person.col.n", "int"),
    Column("score", "person.col.score", "score"),
    Column("weight", "person.col.weight", "int"),
    Column("effective_weight", "person.col.effective_weight", "rate"),
    Column("contribution", "person.col.contribution", "score"),
]


def score_steps_view(indicators: pd.DataFrame, step: pd.Series, lang: str) -> list:
    """Step 1: quantitative indicators, score × weight re-spread over those with a score;
    step 2: the qualitative ratings alike; step 3: the blend at the category's share."""
    quantitative = indicators[~indicators["is_qualitative"]]
    qualitative = indicators[indicators["is_qualitative"]]
    share = float(step["qualitative_share"])
    return [
        html.P(t("me.steps.note", lang), className="steps-lead"),
        *_part_step(
            "quant",
            t("me.step1.title", lang),
            quantitative,
            step["quantitative_weight_scored"],
            step["quantitative_from_steps"],
            t("person.kpi.quantitative", lang),
            lang,
        ),
        *_part_step(
            "qual",
            t("me.step2.title", lang),
            qualitative,
            step["qualitative_weight_scored"],
            step["qualitative_from_steps"],
            t("person.kpi.qualitative", lang),
            lang,
        ),
        html.H3(
            t("me.step3.title", lang, share=_pct(share)),
            className="step-title",
        ),
        html.Div(_blend_lines(step, share, lang), className="step-formula", id="me-blend-formula"),
    ]


def _part_step(
    key: str,
    title: str,
    rows: pd.DataFrame,
    weight_scored: object,
    part_score: object,
    part_name: str,
    lang: str,
) -> list:
    if rows.empty:
        return []
    missing = rows[rows["score"].isna()]
    scored = rows[rows["score"].notna()]
    if is_missing(weight_scored):
        spread = t("me.step.none_scored", lang)
    elif len(missing):
        spread = t(
            "me.step.respread",
            lang,
            missing="、".join(pick(r, "name", lang) for r in missing.to_dict("records")),
            scored=_num(weight_scored),
        )
    else:
        spread = t("me.step.all_scored", lang, scored=_num(weight_scored))
    terms = " + ".join(
        f"{fmt_value(r['score'], 'score')} × {_pct(r['effective_weight'])}"
        for r in scored.to_dict("records")
    )
    result = (
        f"{part_name} = {terms} = {fmt_value(part_score, 'score')} {t('unit.points', lang)}"  # type: ignore[arg-type]
        if terms
        else f"{part_name} = {t('me.missing_score', lang)}"
    )
    return [
        html.H3(title, className="step-title"),
        pc.grid(f"me-{key}-grid", _step_table(rows, lang), STEP_COLUMNS, lang, scroll_x=False),
        html.Div(spread, className="step-note"),
        html.Div(result, className="step-formula", id=f"me-{key}-formula"),
    ]


def _step_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    records = rows.to_dict("records")
    return rows.assign(
        indicator=[pick(r, "name", lang) for r in records],
        value_text=[
            pc.indicator_value_text(r["value"], r["kind"], r["unit"], lang) for r in records
        ],
    )


def _blend_lines(step: pd.Series, share: float, lang: str) -> list:
    quantitative = step["quantitative_from_steps"]
    qualitative = step["qualitative_from_steps"]
    composite = fmt_value(step["composite_from_steps"], "score")
    points = t("unit.points", lang)
    if is_missing(qualitative):
        return [html.Div(t("me.step3.only_quant", lang, composite=composite))]
    if is_missing(quantitative):
        return [html.Div(t("me.step3.only_qual", lang, composite=composite))]
    return [
        html.Div(t("me.step3.formula", lang, share=_pct(share), rest=_pct(1 - share))),
        html.Div(
            [
                f"= {_pct(1 - share)} × {fmt_value(quantitative, 'score')}"
                f" + {_pct(share)} × {fmt_value(qualitative, 'score')} = ",
                html.Strong(composite, id="me-composite-result"),
                f" {points}",
            ]
        ),
    ]


def _pct(fraction: object) -> str:
    if is_missing(fraction):
        return "—"
    value = float(fraction) * 100  # type: ignore[arg-type]
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def _num(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.0f}" if number == round(number) else f"{number:.1f}"


# -- own trend and results --------------------------------------------------------------------

TREND_COLUMNS = [
    Column("month", "person.col.period"),
    Column("composite_score", "person.col.composite", "score"),
    Column("insufficient", "person.col.insufficient"),
]


def _trend_table(trend: pd.DataFrame, lang: str) -> pd.DataFrame:
    ordered = trend.iloc[::-1]
    return ordered.assign(
        month=[period_label("month", m, lang) for m in ordered["period_start"]],
        insufficient=[pc.yes_no(v, lang) for v in ordered["insufficient_data"]],
    )


RESULT_COLUMNS = [
    Column("period_label", "person.col.period"),
    Column("final", "person.col.final_grade"),
    Column("action", "person.col.action"),
    Column("amount", "person.col.amount", "count"),
    Column("notified", "person.col.notified_on"),
    Column("applied", "person.col.applied_on"),
]


def _results_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = results.to_dict("records")
    return results.assign(
        final=[pc.grade_name(r["final_grade"], lang) for r in rows],
        action=[pc.value_name(r["action"], lang) for r in rows],
        notified=[pc.when(r["notified_on"]) for r in rows],
        applied=[pc.when(r["applied_on"]) for r in rows],
    )


def my_report(
    path: Path, who: Asker, staff_id: str, decoded: tuple[str, date], lang: str
) -> dict[str, pd.DataFrame]:
    """The person's own tables for the period, one sheet each: nobody else's figures."""
    period_type, start = decoded
    page = pq.person_page(path, who, staff_id)
    indicators = pq.person_period(path, who, staff_id, period_type, start)["indicators"]
    steps = pq.score_steps(path, who, staff_id, period_type, start)
    trend = page["trend"][OWN_TREND]
    summary = []
    if len(steps):
        step = steps.iloc[0]
        summary = [
            (t("person.filter.period", lang), period_label(period_type, start, lang)),
            (t("person.kpi.quantitative", lang), step["quantitative_from_steps"]),
            (t("person.kpi.qualitative", lang), step["qualitative_from_steps"]),
            (t("me.sheet.share", lang), step["qualitative_share"]),
            (t("person.kpi.composite", lang), step["composite_score"]),
            (t("person.kpi.percentile", lang), step["category_percentile"]),
        ]
    return {
        t("me.sheet.summary", lang): pd.DataFrame(
            {
                t("people.sheet.item", lang): [k for k, _ in summary],
                t("people.sheet.value", lang): [None if is_missing(v) else v for _, v in summary],
            }
        ),
        t("me.sheet.steps", lang): pc.sheet(_step_table(indicators, lang), STEP_COLUMNS, lang),
        t("people.sheet.trend", lang): pc.sheet(_trend_table(trend, lang), TREND_COLUMNS, lang),
        t("people.sheet.results", lang): pc.sheet(
            _results_table(page["results"], lang), RESULT_COLUMNS, lang
        ),
    }
