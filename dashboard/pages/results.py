"""结果运用 — how assessment results were applied: decisions against recommendations, the
consequences each grade calls for (due and not applied, or barred and applied anyway), how long
application took, what is overdue, whether pay follows performance, feedback talks, written
notice, and reviews and appeals against their legal clocks (asked for within 30 days of the
notice, decided within 30 or 60). Each view is audited: the page names people and their grades.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.auth import audit_view, guard_layout
from dashboard.components import person as pc
from dashboard.components import report_figures as rf
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.formatting import fmt_value, is_missing
from dashboard.components.layout import lazy_tables, page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.reports import action_name, chart_with_table, compact, kind_name
from dashboard.components.table import Column
from dashboard.context import warehouse_path
from dashboard.i18n import category_name, current_lang, pick, t
from warehouse import report_queries as rq
from warehouse.queries import WarehouseUnavailable

dash.register_page(
    __name__,
    path="/results",
    name="结果运用",
    title=lambda: f"{t('page.results')} · {t('app.title')}",
    order=50,
    label_key="page.results",
)
lazy_tables("results")

PERIOD_TYPES = ("year", "quarter", "month")
RECOMMENDED_ORDER = ["优秀", "称职", "复核", None]
FINAL_ORDER = ["优秀", "称职", "基本称职", "不称职", "好", "较好", "一般", "较差", None]
PAGE_SIZE = 12


@guard_layout("results")
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.results", lang), t("results.subtitle", lang))
    path = warehouse_path()
    try:
        periods = rq.result_periods(path)
    except WarehouseUnavailable:
        return html.Div([header, warehouse_missing_notice(lang)])
    types = _period_types(periods)
    period_type = types[0]
    options, period = period_options(periods, period_type, lang)
    if period is not None:
        audit_view("view_results", None, period)
    return html.Div(
        [
            header,
            _filter_bar(types, period_type, options, period, lang),
            html.Div(sections(path, period, lang), id="results-body"),
            dcc.Download(id="results-download"),
        ],
        className="results-page",
    )


def _period_types(periods) -> list[str]:
    return [pt for pt in PERIOD_TYPES if pt in set(periods["period_type"])] or ["year"]


def warm(path: Path) -> None:
    """Run the default view's queries so they are memoized before its first reader
    (dashboard.warmup): nothing is shown to anyone, so nothing is audited."""
    periods = rq.result_periods(path)
    _, period = period_options(periods, _period_types(periods)[0], "zh")
    sections(path, period, "zh")


@callback(
    Output("results-period", "options"),
    Output("results-period", "value"),
    Input("results-period-type", "value"),
    prevent_initial_call=True,
)
def update_periods(period_type: str) -> tuple[list[dict], str | None]:
    return period_options(rq.result_periods(warehouse_path()), period_type, current_lang())


@callback(
    Output("results-body", "children"),
    Input("results-period", "value"),
    prevent_initial_call=True,
)
def update_body(period: str | None) -> list:
    if pc.decode_period(period) is not None:
        audit_view("view_results", None, period)
    return sections(warehouse_path(), period, current_lang())


@callback(
    Output("results-download", "data"),
    Input("results-export", "n_clicks"),
    State("results-period", "value"),
    prevent_initial_call=True,
)
def export_results(n_clicks: int, period: str | None):
    decoded = pc.decode_period(period)
    if not n_clicks or decoded is None:
        return dash.no_update
    lang = current_lang()
    sheets = workbook(warehouse_path(), *decoded, lang)
    audit_view("export_results", None, period)
    period_type, start = decoded
    return dcc.send_bytes(to_xlsx_bytes(sheets), f"results_{period_type}_{start.isoformat()}.xlsx")


# -- filters ----------------------------------------------------------------------------------


def period_options(periods: pd.DataFrame, period_type: str, lang: str) -> tuple[list[dict], str]:
    """Select options of one period type, newest first; the default is the newest."""
    starts = periods.loc[periods["period_type"] == period_type, "period_start"]
    options = [
        {"label": pc.period_text(pc.encode_period(period_type, s), lang), "value": value}
        for s in starts
        for value in [pc.encode_period(period_type, s)]
    ]
    return options, options[0]["value"] if options else None


def _filter_bar(
    types: list[str], period_type: str, options: list[dict], period: str | None, lang: str
) -> dbc.Card:
    radio = html.Div(
        dbc.RadioItems(
            id="results-period-type",
            options=[{"label": t(f"period_type.{pt}", lang), "value": pt} for pt in types],
            value=period_type,
            class_name="btn-group",
            input_class_name="btn-check",
            label_class_name="btn btn-outline-primary",
            label_checked_class_name="active",
        ),
        className="radio-group",
    )
    return pc.filter_bar(
        [
            pc.labelled(t("filter.period_type", lang), radio, "results-period-type", xs="auto"),
            pc.labelled(
                t("person.filter.period", lang),
                dbc.Select(id="results-period", options=options, value=period),
                "results-period",
                xs=12,
                md=4,
                lg=3,
            ),
            dbc.Col(
                pc.export_button("results-export", t("results.export", lang)),
                xs="auto",
                class_name="ms-auto",
            ),
        ]
    )


# -- the page body ----------------------------------------------------------------------------


def sections(path: Path, period: str | None, lang: str) -> list:
    decoded = pc.decode_period(period)
    if decoded is None:
        return [html.Div(t("empty.period", lang), className="text-muted p-3")]
    period_type, start = decoded
    label = pc.period_text(period, lang)
    detail = rq.results_detail(path, period_type, start)
    threshold = rq.setting_value(path, "apply_overdue_days")
    crosstab = rq.grade_crosstab(path, period_type, start)
    actions = rq.actions_applied(path, period_type, start)
    checks = rq.consequence_checks(path, start) if period_type == "year" else None
    pay = rq.pay_and_scores(path, period_type, start)
    talks = rq.feedback_coverage(path, period_type, start)
    reviews = rq.review_requests(path, period_type, start)
    windows = rq.review_windows(path)
    request_days = rq.setting_value(path, "review_request_days")
    r = pearson(pay)
    return [
        _stat_row(detail, checks, talks, reviews, windows, lang),
        section_title(t("results.section.decisions", lang), "results-period-label", label),
        dbc.Row(
            [
                dbc.Col(_crosstab_card(crosstab, period_type, lang), lg=5),
                dbc.Col(_actions_card(actions, lang), lg=7),
            ],
            class_name="g-3",
        ),
        section_title(t("results.section.consequences", lang)),
        _consequences_card(checks, lang),
        section_title(t("results.section.timeliness", lang)),
        dbc.Row(
            [
                dbc.Col(_lag_card(detail, threshold, lang), lg=4),
                dbc.Col(_overdue_card(detail, threshold, lang), lg=8),
            ],
            class_name="g-3",
        ),
        section_title(t("results.section.pay", lang)),
        _pay_card(pay, r, lang),
        section_title(t("results.section.rights", lang)),
        dbc.Row(
            [
                dbc.Col(_talks_card(talks, lang), lg=4),
                dbc.Col(_not_notified_card(detail, lang), lg=8),
            ],
            class_name="g-3",
        ),
        section_title(t("results.section.reviews", lang)),
        _windows_card(windows, request_days, lang),
        _reviews_card(reviews, lang),
    ]


def _grid(
    grid_id: str,
    df: pd.DataFrame,
    columns: list[Column],
    lang: str,
    wrap: tuple[str, ...] = (),
    page_size: int = PAGE_SIZE,
    widths: dict[str, int] | None = None,
    **options,
):
    """A grid fitted to its card, paged beyond `page_size` rows."""
    grid = pc.grid(
        grid_id, df, columns, lang, page_size=page_size if len(df) > page_size else None, **options
    )
    return compact(grid, wrap, widths)


def pearson(pay: pd.DataFrame) -> float | None:
    """Pearson's r between composite score and bonus; None below 3 people or without spread."""
    both = pay.dropna(subset=["composite_score", "amount"])
    if len(both) < 3 or both["amount"].nunique() < 2 or both["composite_score"].nunique() < 2:
        return None
    return float(both["composite_score"].corr(both["amount"]))


def overdue(detail: pd.DataFrame) -> pd.DataFrame:
    return detail[detail["is_late"].fillna(False).astype(bool)]


def wrong(checks: pd.DataFrame) -> pd.DataFrame:
    """Consequences not as the grade requires: due and not applied, or barred and applied."""
    return checks[checks["is_wrong"].astype(bool)]


def late_requests(reviews: pd.DataFrame) -> pd.DataFrame:
    return reviews[reviews["is_request_late"].fillna(False).astype(bool)]


def not_notified(detail: pd.DataFrame) -> pd.DataFrame:
    flagged = detail[detail["is_not_notified"].fillna(False).astype(bool)]
    return flagged.drop_duplicates("staff_id")


def _stat_row(
    detail: pd.DataFrame,
    checks: pd.DataFrame | None,
    talks: pd.DataFrame,
    reviews: pd.DataFrame,
    windows: pd.DataFrame,
    lang: str,
) -> dbc.Row:
    people = detail.drop_duplicates("staff_id")
    decided = int(people["final_grade"].notna().sum())
    pending = int(people["final_grade"].isna().sum())
    with_action = detail[detail["action"].notna()]
    applied = int(with_action["applied_on"].notna().sum())
    median_days = detail["days_to_apply"].median()
    late = overdue(detail)
    unnotified = not_notified(detail)
    covered = int(talks["has_talk"].sum()) if len(talks) else 0
    open_reviews = reviews[reviews["is_open"].fillna(False).astype(bool)]
    late_asked = len(late_requests(reviews))
    due = checks[checks["expectation"] == "due"] if checks is not None else None
    barred = checks[checks["expectation"] == "barred"] if checks is not None else None
    missing = int(wrong(due).shape[0]) if due is not None else 0
    wrongly_applied = int(wrong(barred).shape[0]) if barred is not None else 0
    cards = [
        pc.stat_card(
            "results-kpi-assessed",
            t("results.kpi.assessed", lang),
            fmt_value(decided, "count"),
            t("results.kpi.pending", lang, n=pending) if pending else t("unit.people", lang),
            tone="stat-main",
        ),
        pc.stat_card(
            "results-kpi-applied",
            t("results.kpi.applied", lang),
            pc.percent(applied / len(with_action) if len(with_action) else None),
            t("results.kpi.applied_detail", lang, applied=applied, total=len(with_action)),
        ),
        pc.stat_card(
            "results-kpi-median-days",
            t("results.kpi.median_days", lang),
            fmt_value(median_days, "count"),
            t("results.kpi.days_after", lang),
        ),
        pc.stat_card(
            "results-kpi-overdue",
            t("results.kpi.overdue", lang),
            fmt_value(len(late), "count"),
            t("results.kpi.overdue_detail", lang, people=late["staff_id"].nunique()),
            tone="stat-alert" if len(late) else "",
        ),
        pc.stat_card(
            "results-kpi-not-notified",
            t("results.kpi.not_notified", lang),
            fmt_value(len(unnotified), "count"),
            t("unit.people", lang),
            tone="stat-alert" if len(unnotified) else "",
        ),
        pc.stat_card(
            "results-kpi-talks",
            t("results.kpi.talks", lang),
            pc.percent(covered / len(talks) if len(talks) else None),
            t("results.kpi.talks_detail", lang, covered=covered, total=len(talks)),
        ),
        pc.stat_card(
            "results-kpi-missing",
            t("results.kpi.missing", lang),
            fmt_value(missing, "count") if checks is not None else "—",
            t("results.kpi.missing_detail", lang)
            if checks is not None
            else t("results.kpi.annual_only", lang),
            tone="stat-alert" if missing else "",
        ),
        pc.stat_card(
            "results-kpi-barred",
            t("results.kpi.barred", lang),
            fmt_value(wrongly_applied, "count") if checks is not None else "—",
            t("results.kpi.barred_detail", lang)
            if checks is not None
            else t("results.kpi.annual_only", lang),
            tone="stat-alert" if wrongly_applied else "",
        ),
        pc.stat_card(
            "results-kpi-open-reviews",
            t("results.kpi.open_reviews", lang),
            fmt_value(len(open_reviews), "count"),
            t(
                "results.kpi.open_reviews_detail",
                lang,
                late=int(open_reviews["is_late"].fillna(False).sum()),
            ),
        ),
        pc.stat_card(
            "results-kpi-review-window",
            t("results.kpi.review_window", lang),
            fmt_value(windows["staff_id"].nunique(), "count"),
            t("results.kpi.review_window_detail", lang, late=late_asked),
            tone="stat-alert" if late_asked else "",
        ),
    ]
    return dbc.Row(
        [dbc.Col(card) for card in cards],
        class_name="row-cols-2 row-cols-md-5 g-3 stat-row",
        id="results-kpis",
    )


# -- decisions against recommendations ---------------------------------------------------------


def _grade_label(grade: object, lang: str, missing_key: str) -> str:
    return t(missing_key, lang) if is_missing(grade) or not grade else pc.grade_name(grade, lang)


def _crosstab_card(crosstab: pd.DataFrame, period_type: str, lang: str) -> dbc.Card:
    rows = [g for g in RECOMMENDED_ORDER if g in set(crosstab["recommended_grade"].dropna())]
    if crosstab["recommended_grade"].isna().any():
        rows.append(None)
    cols = [g for g in FINAL_ORDER if g in set(crosstab["final_grade"].dropna())]
    cols += sorted(set(crosstab["final_grade"].dropna()) - set(cols))
    if crosstab["final_grade"].isna().any():
        cols.append(None)
    table = crosstab.assign(
        row=[_grade_label(g, lang, "results.grade.none") for g in crosstab["recommended_grade"]],
        col=[_grade_label(g, lang, "results.grade.pending") for g in crosstab["final_grade"]],
    )
    figure = rf.crosstab_figure(
        table,
        [_grade_label(g, lang, "results.grade.none") for g in rows],
        [_grade_label(g, lang, "results.grade.pending") for g in cols],
        t("results.crosstab.title", lang),
        lang,
    )
    columns = [
        Column("row", "results.crosstab.recommended"),
        Column("col", "results.crosstab.final"),
        Column("people", "col.people", "int"),
    ]
    note = t("results.crosstab.note" if period_type == "year" else "results.crosstab.note_q", lang)
    return chart_with_table(
        "results-crosstab-graph",
        figure,
        _grid("results-crosstab-grid", table, columns, lang),
        lang,
        note=note,
    )


ACTION_COLUMNS = [
    Column("grade", "person.col.final_grade"),
    Column("action_name", "person.col.action"),
    Column("decisions", "results.col.decisions", "int"),
    Column("applied", "results.col.applied", "int"),
    Column("median_days", "results.col.median_days", "days"),
    Column("max_days", "results.col.max_days", "int"),
    Column("amount", "results.col.amount", "count"),
]


def _actions(actions: pd.DataFrame, lang: str) -> pd.DataFrame:
    return actions.assign(
        grade=[pc.grade_name(g, lang) for g in actions["final_grade"]],
        action_name=[action_name(a, lang) for a in actions["action"]],
    )


def _actions_card(actions: pd.DataFrame, lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(t("results.actions.title", lang), className="card-title-sm"),
                _grid(
                    "results-actions-grid",
                    _actions(actions, lang),
                    ACTION_COLUMNS,
                    lang,
                    widths={"action_name": 150, "grade": 110},
                ),
                pc.note(t("results.actions.note", lang)),
            ]
        ),
        class_name="chart-card h-100",
    )


# -- consequences of the grade ------------------------------------------------------------------

GAP_COLUMNS = [
    Column("name", "person.col.name"),
    Column("staff_id", "person.col.staff_id"),
    Column("department", "person.col.department"),
    Column("grade", "person.col.final_grade"),
    Column("action_name", "results.col.action_checked"),
    Column("problem", "results.col.problem"),
    Column("condition", "results.col.condition"),
    Column("source", "results.col.source"),
]
CONSEQUENCE_COLUMNS = [
    Column("label", "results.col.consequence"),
    Column("ok", "results.col.ok", "int"),
    Column("wrong", "results.col.wrong", "int"),
]


def _gaps(checks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The consequences not as the grade requires, each with what is wrong about it."""
    gaps = wrong(checks)
    return gaps.assign(
        grade=[pc.grade_name(g, lang) for g in gaps["final_grade"]],
        action_name=[action_name(a, lang) for a in gaps["expected_action"]],
        problem=[
            t(f"results.problem.{'barred' if e == 'barred' else 'missing'}", lang)
            for e in gaps["expectation"]
        ],
        condition=[pick(row, "condition", lang) for row in gaps.to_dict("records")],
    )


def consequence_summary(checks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """People per consequence (an action due, or barred, for a grade): as the rules require,
    and not."""
    labels = []
    for action, grade, expectation in zip(
        checks["expected_action"], checks["final_grade"], checks["expectation"], strict=True
    ):
        names = {"action": action_name(action, lang), "grade": pc.grade_name(grade, lang)}
        if expectation == "barred":
            labels.append(t("results.consequences.barred_label", lang, **names))
        elif lang == "zh":
            labels.append(f"{names['action']}（{names['grade']}）")
        else:
            labels.append(f"{names['action']} ({names['grade']})")
    is_wrong = checks["is_wrong"].astype(bool)
    return (
        checks.assign(label=labels, ok=(~is_wrong).astype(int), wrong=is_wrong.astype(int))
        .groupby("label", sort=False)[["ok", "wrong"]]
        .sum()
        .reset_index()
    )


def _consequences_card(checks: pd.DataFrame | None, lang: str) -> dbc.Card | dbc.Alert:
    if checks is None:
        return dbc.Alert(t("results.consequences.annual_only", lang), color="light")
    summary = consequence_summary(checks, lang)
    figure = rf.consequences_figure(summary, t("results.consequences.title_checked", lang), lang)
    gaps = _gaps(checks, lang)
    gaps_grid = _grid(
        "results-gaps-grid",
        gaps,
        [c for c in GAP_COLUMNS if c.field != "staff_id"],
        lang,
        wrap=("condition", "source"),
    )
    return dbc.Row(
        [
            dbc.Col(
                chart_with_table(
                    "results-consequences-graph",
                    figure,
                    _grid(
                        "results-consequences-grid",
                        summary,
                        CONSEQUENCE_COLUMNS,
                        lang,
                        page_size=max(len(summary), 1),  # one row per bar, unpaged
                        widths={"label": 160},
                    ),
                    lang,
                    note=t("results.consequences.note_checked", lang),
                ),
                lg=4,
            ),
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.H3(
                                t("results.consequences.wrong_title", lang, n=len(gaps)),
                                className="card-title-sm",
                                id="results-gaps-title",
                            ),
                            gaps_grid
                            if len(gaps)
                            else html.Div(
                                t("results.consequences.none_wrong", lang),
                                className="text-muted p-2",
                            ),
                        ]
                    ),
                    class_name="chart-card h-100",
                ),
                lg=8,
            ),
        ],
        class_name="g-3",
    )


# -- timeliness -------------------------------------------------------------------------------

OVERDUE_COLUMNS = [
    Column("name", "person.col.name"),
    Column("department", "person.col.department"),
    Column("grade", "person.col.final_grade"),
    Column("action_name", "person.col.action"),
    Column("decided_on", "person.col.decided_on"),
    Column("applied_on", "person.col.applied_on"),
    Column("days", "results.col.days", "int"),
    Column("status", "person.col.status"),
]


def overdue_table(detail: pd.DataFrame, lang: str) -> pd.DataFrame:
    late = overdue(detail)
    applied = late["applied_on"].notna()
    return late.assign(
        grade=[_grade_label(g, lang, "results.grade.pending") for g in late["final_grade"]],
        action_name=[action_name(a, lang) for a in late["action"]],
        decided_on=[pc.when(d) for d in late["decided_on"]],
        applied_on=[pc.when(d) for d in late["applied_on"]],
        days=late["days_to_apply"].where(applied, late["days_since_period"]),
        status=[
            t("results.status.applied_late", lang)
            if was_applied
            else t("results.status.undecided", lang)
            if is_missing(grade)
            else t("results.status.not_applied", lang)
            for was_applied, grade in zip(applied, late["final_grade"], strict=True)
        ],
    ).sort_values("days", ascending=False)


LAG_COLUMNS = [
    Column("label", "results.col.days_band"),
    Column("decisions", "results.lag.axis_y", "int"),
    Column("late_text", "results.col.band_late"),
]


def lag_table(detail: pd.DataFrame, threshold: float | None, lang: str) -> pd.DataFrame:
    """Decisions applied per band of days after the period, as the histogram draws them."""
    bins = rf.lag_bins(detail["days_to_apply"], threshold)
    return bins.assign(late_text=[pc.yes_no(v, lang) for v in bins["late"]])


def _lag_card(detail: pd.DataFrame, threshold: float | None, lang: str) -> dbc.Card:
    bins = lag_table(detail, threshold, lang)
    figure = rf.lag_figure(bins, threshold, t("results.lag.title", lang), lang)
    return chart_with_table(
        "results-lag-graph",
        figure,
        _grid("results-lag-grid", bins, LAG_COLUMNS, lang, page_size=max(len(bins), 1)),
        lang,
        note=t("results.lag.note", lang, days=int(threshold or 0)),
    )


def _overdue_card(detail: pd.DataFrame, threshold: float | None, lang: str) -> dbc.Card:
    table = overdue_table(detail, lang)
    title = t("results.overdue.title", lang, n=len(table), days=int(threshold or 0))
    grid = _grid("results-overdue-grid", table, OVERDUE_COLUMNS, lang, wrap=("status",))
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(title, className="card-title-sm", id="results-overdue-title"),
                grid,
                pc.note(t("results.overdue.note", lang)),
            ]
        ),
        class_name="chart-card h-100",
    )


# -- pay and performance ----------------------------------------------------------------------

PAY_COLUMNS = [
    Column("name", "person.col.name"),
    Column("department", "person.col.department"),
    Column("category", "col.category"),
    Column("composite_score", "person.col.composite", "score"),
    Column("amount", "results.col.bonus", "count"),
]


def _pay_table(pay: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pay.assign(
        category=[
            category_name(c, lang) if isinstance(c, str) else None for c in pay["role_category"]
        ]
    )


def _pay_card(pay: pd.DataFrame, r: float | None, lang: str) -> dbc.Card:
    n = int(pay.dropna(subset=["composite_score", "amount"]).shape[0])
    r_text = "—" if r is None else f"{r:.2f}"
    title = t("results.pay.title", lang, r=r_text, n=n)
    figure = rf.pay_figure(pay, r, title, lang)
    return dbc.Row(
        [
            dbc.Col(
                chart_with_table(
                    "results-pay-graph",
                    figure,
                    _grid("results-pay-grid", _pay_table(pay, lang), PAY_COLUMNS, lang),
                    lang,
                    note=t("results.pay.note", lang),
                ),
                lg=8,
            ),
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(t("results.pay.r", lang), className="kpi-label"),
                            html.Div(r_text, className="stat-value stat-main", id="results-pay-r"),
                            html.Div(t("results.pay.n", lang, n=n), className="stat-detail"),
                            html.P(pay_reading(r, lang), className="pay-reading"),
                        ]
                    ),
                    class_name="kpi-card h-100",
                ),
                lg=4,
            ),
        ],
        class_name="g-3",
    )


def pay_reading(r: float | None, lang: str) -> str:
    if r is None:
        return t("results.pay.reading.none", lang)
    strength = "strong" if abs(r) >= 0.6 else "moderate" if abs(r) >= 0.3 else "weak"
    return t(f"results.pay.reading.{strength}", lang)


# -- notice and feedback talks ----------------------------------------------------------------

NO_TALK_COLUMNS = [
    Column("name", "person.col.name"),
    Column("staff_id", "person.col.staff_id"),
]
NOT_NOTIFIED_COLUMNS = [
    Column("name", "person.col.name"),
    Column("department", "person.col.department"),
    Column("grade", "person.col.final_grade"),
    Column("decided_on", "person.col.decided_on"),
    Column("source", "person.col.source"),
]


def _talks_card(talks: pd.DataFrame, lang: str) -> dbc.Card:
    covered = int(talks["has_talk"].sum()) if len(talks) else 0
    share = covered / len(talks) if len(talks) else None
    missing = talks[~talks["has_talk"].astype(bool)]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(t("results.talks.title", lang), className="card-title-sm"),
                html.Div(
                    [
                        html.Span(pc.percent(share), className="stat-value stat-main"),
                        html.Span(
                            t("results.kpi.talks_detail", lang, covered=covered, total=len(talks)),
                            className="stat-detail ms-2",
                        ),
                    ]
                ),
                dbc.Progress(value=round((share or 0) * 100), class_name="percentile-bar mb-3"),
                html.Div(
                    t("results.talks.missing", lang, n=len(missing)), className="records-count"
                ),
                _grid("results-no-talk-grid", missing, NO_TALK_COLUMNS, lang, page_size=8),
            ]
        ),
        class_name="chart-card h-100",
    )


def not_notified_table(detail: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = not_notified(detail)
    return rows.assign(
        grade=[pc.grade_name(g, lang) for g in rows["final_grade"]],
        decided_on=[pc.when(d) for d in rows["decided_on"]],
        source=[
            f"{f}:{int(r)}" if isinstance(f, str) and not is_missing(r) else None
            for f, r in zip(rows["source_file"], rows["source_row"], strict=True)
        ],
    )


def _not_notified_card(detail: pd.DataFrame, lang: str) -> dbc.Card:
    table = not_notified_table(detail, lang)
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(
                    t("results.not_notified.title", lang, n=len(table)),
                    className="card-title-sm",
                ),
                _grid("results-not-notified-grid", table, NOT_NOTIFIED_COLUMNS, lang),
                pc.note(t("results.not_notified.note", lang)),
            ]
        ),
        class_name="chart-card h-100",
    )


# -- reviews and appeals ----------------------------------------------------------------------

REVIEW_COLUMNS = [
    Column("name", "person.col.name"),
    Column("kind_name", "person.col.kind"),
    Column("period_label", "person.col.period"),
    Column("notified_on", "person.col.notified_on"),
    Column("request_due_on", "results.col.request_due_on"),
    Column("held_on", "results.col.requested_on"),
    Column("request_status", "results.col.request_status"),
    Column("legal_days", "results.col.legal_days", "int"),
    Column("due_on", "person.col.due_on"),
    Column("resolved_on", "person.col.resolved_on"),
    Column("outcome", "person.col.outcome"),
    Column("status", "person.col.status"),
]
WINDOW_COLUMNS = [
    Column("name", "person.col.name"),
    Column("department", "person.col.department"),
    Column("period_label", "person.col.period"),
    Column("grade", "person.col.final_grade"),
    Column("notified_on", "person.col.notified_on"),
    Column("request_due_on", "results.col.request_due_on"),
    Column("days_left", "results.col.days_left", "int"),
    Column("requested", "results.col.has_requested"),
]


def review_table(reviews: pd.DataFrame, lang: str) -> pd.DataFrame:
    return reviews.assign(
        kind_name=[kind_name(k, lang) for k in reviews["kind"]],
        notified_on=[pc.when(d) for d in reviews["notified_on"]],
        request_due_on=[pc.when(d) for d in reviews["request_due_on"]],
        request_status=[request_status(row, lang) for row in reviews.to_dict("records")],
        held_on=[pc.when(d) for d in reviews["held_on"]],
        due_on=[pc.when(d) for d in reviews["due_on"]],
        resolved_on=[pc.when(d) for d in reviews["resolved_on"]],
        status=[review_status(row, lang) for row in reviews.to_dict("records")],
        late=reviews["is_late"].fillna(False).astype(bool),
        request_late=reviews["is_request_late"].fillna(False).astype(bool),
    )


def request_status(row: dict, lang: str) -> str | None:
    """Whether a review was asked for within the days allowed after the written notice; an
    appeal has no such clock here."""
    if row.get("kind") != rq.REVIEW_REQUEST:
        return None
    if is_missing(row.get("request_due_on")):
        return t("results.request.no_notice", lang)
    if row.get("is_request_late"):
        days = (pd.Timestamp(row["held_on"]) - pd.Timestamp(row["request_due_on"])).days
        return t("results.request.late", lang, n=days)
    return t("results.request.in_time", lang)


def review_status(row: dict, lang: str) -> str:
    if row.get("is_open"):
        left = row.get("days_left")
        if not is_missing(left) and left >= 0:
            return t("results.review.open", lang, n=int(left))
        return t("results.review.open_late", lang, n=int(-left) if not is_missing(left) else 0)
    if row.get("is_late"):
        return t("results.review.decided_late", lang, days=int(row["days_open"]))
    return t("results.review.decided", lang, days=int(row["days_open"]))


def _reviews_card(reviews: pd.DataFrame, lang: str) -> dbc.Card:
    table = review_table(reviews, lang)
    grid = _grid(
        "results-reviews-grid",
        table,
        REVIEW_COLUMNS,
        lang,
        wrap=("status", "request_status"),
        class_rules={
            "status": {"status-late": "params.data.late"},
            "request_status": {"status-late": "params.data.request_late"},
        },
        extra=("late", "request_late"),
    )
    late = len(late_requests(reviews))
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    t("results.reviews.late_requests", lang, n=late),
                    className="records-count",
                    id="results-late-requests",
                ),
                grid,
                pc.note(t("results.reviews.note", lang)),
            ]
        ),
        class_name="chart-card mt-3",
    )


def window_table(windows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return windows.assign(
        grade=[pc.grade_name(g, lang) for g in windows["final_grade"]],
        notified_on=[pc.when(d) for d in windows["notified_on"]],
        request_due_on=[pc.when(d) for d in windows["request_due_on"]],
        requested=[pc.yes_no(v, lang) for v in windows["has_requested"]],
    )


def _windows_card(windows: pd.DataFrame, request_days: float | None, lang: str) -> dbc.Card:
    """Who may still ask for a review of an annual result, and until when."""
    table = window_table(windows, lang)
    body = (
        _grid("results-windows-grid", table, WINDOW_COLUMNS, lang)
        if len(table)
        else html.Div(t("results.windows.none", lang), className="text-muted p-2")
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(
                    t("results.windows.title", lang, n=windows["staff_id"].nunique()),
                    className="card-title-sm",
                    id="results-windows-title",
                ),
                body,
                pc.note(t("results.windows.note", lang, days=int(request_days or 0))),
            ]
        ),
        class_name="chart-card",
    )


# -- export -----------------------------------------------------------------------------------

DETAIL_COLUMNS = [
    Column("staff_id", "person.col.staff_id"),
    Column("name", "person.col.name"),
    Column("department", "person.col.department"),
    Column("period_label", "person.col.period"),
    Column("recommended", "person.col.recommended_grade"),
    Column("grade", "person.col.final_grade"),
    Column("action_name", "person.col.action"),
    Column("amount", "person.col.amount"),
    Column("notified_on", "person.col.notified_on"),
    Column("decided_on", "person.col.decided_on"),
    Column("applied_on", "person.col.applied_on"),
    Column("days_to_apply", "person.col.days_to_apply"),
    Column("late", "person.status.overdue"),
    Column("unnotified", "person.status.not_notified"),
    Column("source", "person.col.source"),
]


def workbook(path: Path, period_type: str, start, lang: str) -> dict[str, pd.DataFrame]:
    """Every table of the page for one period, one sheet each, with the page's headers."""
    detail = rq.results_detail(path, period_type, start)
    crosstab = rq.grade_crosstab(path, period_type, start)
    crosstab = crosstab.assign(
        row=[_grade_label(g, lang, "results.grade.none") for g in crosstab["recommended_grade"]],
        col=[_grade_label(g, lang, "results.grade.pending") for g in crosstab["final_grade"]],
    )
    sheets = {
        t("results.sheet.crosstab", lang): pc.sheet(
            crosstab,
            [
                Column("row", "results.crosstab.recommended"),
                Column("col", "results.crosstab.final"),
                Column("people", "col.people"),
            ],
            lang,
        ),
        t("results.sheet.actions", lang): pc.sheet(
            _actions(rq.actions_applied(path, period_type, start), lang), ACTION_COLUMNS, lang
        ),
    }
    if period_type == "year":
        checks = rq.consequence_checks(path, start)
        sheets[t("results.sheet.consequences", lang)] = pc.sheet(
            consequence_summary(checks, lang), CONSEQUENCE_COLUMNS, lang
        )
        sheets[t("results.sheet.wrong", lang)] = pc.sheet(_gaps(checks, lang), GAP_COLUMNS, lang)
    threshold = rq.setting_value(path, "apply_overdue_days")
    sheets |= {
        t("results.sheet.lag", lang): pc.sheet(
            lag_table(detail, threshold, lang), LAG_COLUMNS, lang
        ),
        t("results.sheet.overdue", lang): pc.sheet(
            overdue_table(detail, lang), OVERDUE_COLUMNS, lang
        ),
        t("results.sheet.not_notified", lang): pc.sheet(
            not_notified_table(detail, lang), NOT_NOTIFIED_COLUMNS, lang
        ),
        t("results.sheet.pay", lang): pc.sheet(
            _pay_table(rq.pay_and_scores(path, period_type, start), lang), PAY_COLUMNS, lang
        ),
        t("results.sheet.talks", lang): pc.sheet(
            rq.feedback_coverage(path, period_type, start).assign(
                held_on=lambda f: [pc.when(d) for d in f["held_on"]]
            ),
            [*NO_TALK_COLUMNS, Column("held_on", "results.col.talk_on")],
            lang,
        ),
        t("results.sheet.reviews", lang): pc.sheet(
            review_table(rq.review_requests(path, period_type, start), lang),
            REVIEW_COLUMNS,
            lang,
        ),
        t("results.sheet.windows", lang): pc.sheet(
            window_table(rq.review_windows(path), lang), WINDOW_COLUMNS, lang
        ),
        t("results.sheet.detail", lang): pc.sheet(
            _detail_table(detail, lang), DETAIL_COLUMNS, lang
        ),
    }
    return sheets


def _detail_table(detail: pd.DataFrame, lang: str) -> pd.DataFrame:
    return detail.assign(
        recommended=[pc.grade_name(g, lang) for g in detail["recommended_grade"]],
        grade=[pc.grade_name(g, lang) for g in detail["final_grade"]],
        action_name=[None if is_missing(a) else action_name(a, lang) for a in detail["action"]],
        notified_on=[pc.when(d) for d in detail["notified_on"]],
        decided_on=[pc.when(d) for d in detail["decided_on"]],
        applied_on=[pc.when(d) for d in detail["applied_on"]],
        late=[pc.yes_no(v, lang) for v in detail["is_late"]],
        unnotified=[pc.yes_no(v, lang) for v in detail["is_not_notified"]],
        source=[
            f"{f}:{int(r)}" if isinstance(f, str) and not is_missing(r) else None
            for f, r in zip(detail["source_file"], detail["source_row"], strict=True)
        ],
    )
