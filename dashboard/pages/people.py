"""人事考核明细 — one person: indicators against the category median, trend, rank history, the
records behind each indicator, ratings, feedback talks and appeals, results applied; export.

`/people?staff_id=G0001` opens a person directly. Office heads pick only among their office's
people, and every callback checks the person again on the server, whatever the browser sent;
the warehouse then checks the asker once more and refuses a person outside their scope
(`warehouse.scope.NotInScope`). Each view and export of a person's data is written to the audit
log, once it was allowed.
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
from dashboard.components.formatting import is_missing, period_label
from dashboard.components.layout import chart_card, lazy_tables, page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.table import Column, row_dicts
from dashboard.context import asker, warehouse_path
from dashboard.i18n import category_name, current_lang, pick, t
from warehouse import person_queries as pq
from warehouse.queries import WarehouseUnavailable
from warehouse.scope import Asker, NotInScope

dash.register_page(
    __name__,
    path="/people",
    name="人事考核明细",
    title=lambda: f"{t('page.people')} · {t('app.title')}",
    order=15,
    label_key="page.people",
)
lazy_tables("people")

DEFAULT_PERIOD_TYPE = "quarter"
# Up to this many people, the person picker holds everyone; beyond it, it searches the server.
DIRECTORY_INLINE = 500
SEARCH_MATCHES = 50
RECORDS_PAGE = 15


@guard_layout("people")
@pc.one_connection
def layout(staff_id: str | None = None, **_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.people", lang), t("people.subtitle", lang))
    path = warehouse_path()
    who = asker()
    try:
        directory = pq.people_in_scope(path, who, pc.office_scope())
    except WarehouseUnavailable:
        return html.Div([header, warehouse_missing_notice(lang)])
    sid = staff_id if staff_id in set(directory["staff_id"]) else None
    options, period = _period_choices(path, who, sid, DEFAULT_PERIOD_TYPE, lang)
    if sid:
        content = _audited_view(path, who, sid, period, lang)
    elif staff_id:
        content = [_out_of_scope(lang)]
    else:
        content = [pc.notice(t("people.prompt", lang), "people-prompt", "light")]
    return html.Div(
        [
            header,
            _filter_bar(directory, sid, options, period, lang),
            dcc.Loading(
                html.Div(content, id="people-content"),
                type="dot",
                delay_show=300,
                color="#1d4e89",
            ),
            dcc.Download(id="people-download"),
            dcc.Download(id="people-records-download"),
        ],
        className="people-page",
    )


@callback(
    Output("people-period", "options"),
    Output("people-period", "value"),
    Input("people-person", "value"),
    Input("people-period-type", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_periods(staff_id: str | None, period_type: str) -> tuple[list[dict], str | None]:
    path = warehouse_path()
    sid = staff_id if _in_scope(path, staff_id) else None
    return _period_choices(path, asker(), sid, period_type, current_lang())


@callback(
    Output("people-content", "children"),
    Input("people-person", "value"),
    Input("people-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_person(staff_id: str | None, period: str | None) -> list:
    lang = current_lang()
    path = warehouse_path()
    if not staff_id:
        return [pc.notice(t("people.prompt", lang), "people-prompt", "light")]
    if not _in_scope(path, staff_id):
        return [_out_of_scope(lang)]
    return _audited_view(path, asker(), staff_id, period, lang)


@callback(
    Output("people-indicator", "value"),
    Input("people-indicator-grid", "cellClicked"),
    prevent_initial_call=True,
)
def pick_indicator(cell: dict | None):
    if not cell or not cell.get("rowId"):
        return dash.no_update
    return cell["rowId"]


@callback(
    Output("people-records", "children"),
    Output("people-indicator-grid", "selectedRows"),
    Input("people-indicator", "value"),
    State("people-person", "value"),
    State("people-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def update_records(indicator: str | None, staff_id: str | None, period: str | None):
    path = warehouse_path()
    decoded = pc.decode_period(period)
    if not indicator or decoded is None or not _in_scope(path, staff_id):
        return dash.no_update, dash.no_update
    lang = current_lang()
    assert staff_id is not None
    who = asker()
    try:
        indicators = pq.person_period(path, who, staff_id, *decoded)["indicators"]
        shown = records_view(path, who, staff_id, decoded, indicators, indicator, lang)
    except NotInScope:
        return dash.no_update, dash.no_update
    audit_view("view_person", staff_id, f"{period} {indicator}")
    return shown, {"ids": [indicator]}


@callback(
    Output("people-download", "data"),
    Input("people-export", "n_clicks"),
    State("people-person", "value"),
    State("people-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def export_person(n_clicks: int, staff_id: str | None, period: str | None):
    path = warehouse_path()
    decoded = pc.decode_period(period)
    if not n_clicks or decoded is None or not _in_scope(path, staff_id):
        return dash.no_update
    assert staff_id is not None
    lang = current_lang()
    try:
        report = person_report(path, asker(), staff_id, decoded, lang)
    except NotInScope:
        return dash.no_update
    audit_view("export_person", staff_id, period)
    filename = f"person_{staff_id}_{decoded[0]}_{decoded[1].isoformat()}.xlsx"
    return dcc.send_bytes(to_xlsx_bytes(report), filename)


@callback(
    Output("people-records-download", "data"),
    Input("people-records-export", "n_clicks"),
    State("people-indicator", "value"),
    State("people-person", "value"),
    State("people-period", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def export_records(n_clicks: int, indicator: str | None, staff_id: str | None, period: str | None):
    path = warehouse_path()
    decoded = pc.decode_period(period)
    if not n_clicks or not indicator or decoded is None or not _in_scope(path, staff_id):
        return dash.no_update
    assert staff_id is not None
    lang = current_lang()
    try:
        found = pq.indicator_records(path, asker(), staff_id, *decoded, indicator, None)
    except NotInScope:
        return dash.no_update
    audit_view("export_person", staff_id, f"{period} {indicator}")
    frame = _records_table(found, lang)
    sheets = {t("people.sheet.records", lang): pc.sheet(frame, RECORD_EXPORT_COLUMNS, lang)}
    filename = f"records_{staff_id}_{indicator}_{decoded[1].isoformat()}.xlsx"
    return dcc.send_bytes(to_xlsx_bytes(sheets), filename)


def warm(path: Path) -> None:
    """Memoize the roster every view of the page checks its person against (dashboard.warmup).
    Nothing is shown to anyone, so nothing is audited."""
    pq.people_directory(path)


# -- scope and periods ------------------------------------------------------------------------


def _in_scope(path: Path, staff_id: str | None) -> bool:
    """Whether the viewer may see this person (office heads: their office's people only).

    The page's own check, before the warehouse's (`warehouse.scope`): either one refusing is
    enough.
    """
    if not staff_id:
        return False
    directory = pq.people_directory(path, pc.office_scope())
    return bool(directory["staff_id"].eq(staff_id).any())


def _out_of_scope(lang: str) -> dbc.Alert:
    return pc.notice(t("people.out_of_scope", lang), "people-out-of-scope", "warning")


def _audited_view(path: Path, who: Asker, staff_id: str, period: str | None, lang: str) -> list:
    """The person's view, written to the audit log; the out-of-scope notice (and no entry) when
    the warehouse refuses the person to this asker."""
    try:
        content = person_view(path, who, staff_id, period, lang)
    except NotInScope:
        return [_out_of_scope(lang)]
    audit_view("view_person", staff_id, period)
    return content


def _period_choices(
    path: Path, who: Asker, staff_id: str | None, period_type: str, lang: str
) -> tuple[list[dict], str | None]:
    if not staff_id:
        return [], None
    try:
        scores = pq.person_scores(path, who, staff_id, period_type).iloc[::-1]
    except NotInScope:
        return [], None
    return pc.period_options(
        period_type, list(scores["period_start"]), list(scores["is_complete_period"]), lang
    )


def _person_options(directory: pd.DataFrame, lang: str) -> list[dict]:
    left = t("people.left", lang)
    return [
        {
            "label": f"{row['name']} · {row['staff_id']} · {row['department']}"
            + ("" if row["is_current"] else f" {left}"),
            "value": row["staff_id"],
        }
        for row in directory.to_dict("records")
    ]


@callback(
    Output("people-person", "options"),
    Input("people-person", "search_value"),
    State("people-person", "value"),
    prevent_initial_call=True,
)
@pc.one_connection
def search_people(search: str | None, current: str | None) -> list[dict]:
    """A directory too long to send whole is searched on the server: the first matches of what
    was typed (name, id or office), within the asker's scope, and the person shown."""
    path = warehouse_path()
    directory = pq.people_in_scope(path, asker(), pc.office_scope())
    if len(directory) <= DIRECTORY_INLINE or not search:
        return dash.no_update
    text = search.strip().lower()
    hay = directory["name"].fillna("") + " " + directory["staff_id"] + " "
    hay = (hay + directory["department"].fillna("")).str
    found = directory[hay.lower().str.contains(text, regex=False)].head(SEARCH_MATCHES)
    shown = directory[directory["staff_id"] == current]
    return _person_options(pd.concat([shown, found]).drop_duplicates("staff_id"), current_lang())


def _filter_bar(
    directory: pd.DataFrame, sid: str | None, options: list[dict], period: str | None, lang: str
) -> dbc.Card:
    # A town's directory goes to the browser whole; a county's thousands are searched.
    inline = len(directory) <= DIRECTORY_INLINE
    people = _person_options(directory if inline else directory[directory["staff_id"] == sid], lang)
    return pc.filter_bar(
        [
            pc.labelled(
                t("person.filter.person", lang),
                dcc.Dropdown(
                    id="people-person",
                    options=people,
                    value=sid,
                    searchable=True,
                    clearable=False,
                    placeholder=t(
                        "person.filter.person_placeholder"
                        if inline
                        else "person.filter.person_search",
                        lang,
                    ),
                    className="person-dropdown",
                ),
                "people-person",
                xs=12,
                lg=4,
            ),
            pc.labelled(
                t("filter.period_type", lang),
                pc.period_type_radio("people-period-type", DEFAULT_PERIOD_TYPE, lang),
                "people-period-type",
                xs=12,
                md="auto",
            ),
            pc.labelled(
                t("person.filter.period", lang),
                dbc.Select(id="people-period", options=options, value=period),
                "people-period",
                xs=12,
                md=4,
                lg=3,
            ),
            dbc.Col(
                pc.export_button("people-export", t("person.export.person", lang)),
                xs=12,
                lg=True,
                class_name="text-lg-end",
            ),
        ]
    )


# -- the person -------------------------------------------------------------------------------


def person_view(path: Path, who: Asker, staff_id: str, period: str | None, lang: str) -> list:
    """Everything the page shows of one person for one period (`NotInScope` when the asker
    may not see them)."""
    page = pq.person_page(path, who, staff_id)
    if page["profile"].empty:
        return [_out_of_scope(lang)]
    parts: list = [pc.profile_card("people-profile", page["profile"].iloc[0], lang)]
    decoded = pc.decode_period(period)
    if decoded is None:
        parts.append(pc.notice(t("people.no_scores", lang), "people-no-scores"))
        scores = pq.person_scores(path, who, staff_id, DEFAULT_PERIOD_TYPE)
    else:
        bundle = pq.person_period(path, who, staff_id, *decoded)
        scores = bundle["scores"]
        parts += _period_sections(path, who, staff_id, decoded, bundle, lang)
    parts += _history_sections(page, scores, decoded[0] if decoded else DEFAULT_PERIOD_TYPE, lang)
    return parts


def _period_sections(
    path: Path, who: Asker, staff_id: str, decoded: tuple[str, date], bundle: dict, lang: str
) -> list:
    period_type, start = decoded
    scores, indicators = bundle["scores"], bundle["indicators"]
    label = period_label(period_type, start, lang)
    cards = pc.score_cards("people", scores, start, lang, ranks=True)
    if cards is None:
        return [pc.notice(t("people.no_scores", lang), "people-no-scores")]
    row = scores[scores["period_start"] == start].iloc[-1]
    sections: list = [section_title(t("people.section.scores", lang), "people-period-label", label)]
    sections.append(cards)
    if bool(row["insufficient_data"]):
        sections.append(
            pc.notice(
                t(
                    "person.insufficient",
                    lang,
                    coverage=pc.percent(row["quantitative_coverage"]),
                ),
                "people-insufficient",
                "warning",
            )
        )
    default = _default_indicator(indicators)
    sections += [
        section_title(t("people.section.indicators", lang)),
        dbc.Card(
            dbc.CardBody(
                [
                    pc.grid(
                        "people-indicator-grid",
                        _indicator_table(indicators, lang),
                        INDICATOR_COLUMNS,
                        lang,
                        row_id="indicator_code",
                        selectable=True,
                        selected=default,
                    ),
                    pc.note(t("people.indicators.note", lang)),
                ]
            ),
            class_name="chart-card",
        ),
        section_title(t("people.section.records", lang)),
        dbc.Card(
            dbc.CardBody(
                [
                    dbc.Row(
                        [
                            pc.labelled(
                                t("person.filter.indicator", lang),
                                dbc.Select(
                                    id="people-indicator",
                                    options=[
                                        {
                                            "label": pick(r, "name", lang),
                                            "value": r["indicator_code"],
                                        }
                                        for r in indicators.to_dict("records")
                                    ],
                                    value=default,
                                ),
                                "people-indicator",
                                xs=12,
                                md=5,
                                lg=4,
                            ),
                            dbc.Col(
                                pc.export_button(
                                    "people-records-export", t("person.export.records", lang)
                                ),
                                xs=12,
                                md=True,
                                class_name="text-md-end",
                            ),
                        ],
                        class_name="g-3 align-items-end mb-2",
                    ),
                    html.Div(
                        records_view(path, who, staff_id, decoded, indicators, default, lang),
                        id="people-records",
                    ),
                ]
            ),
            class_name="chart-card",
        ),
    ]
    return sections


def _default_indicator(indicators: pd.DataFrame) -> str | None:
    """The heaviest quantitative indicator with records and data, else the first listed."""
    if indicators.empty:
        return None
    with_data = indicators[
        (~indicators["is_qualitative"])
        & (indicators["kind"] != "derived")
        & (indicators["n"].fillna(0) > 0)
    ]
    chosen = with_data if len(with_data) else indicators
    return str(chosen["indicator_code"].iloc[0])


def _history_sections(page: dict, scores: pd.DataFrame, period_type: str, lang: str) -> list:
    trend = page["trend"]
    type_name = t(f"period_type.{period_type}", lang)
    trend_card = chart_card(
        "people-trend-graph",
        pc.trend_figure(trend, t("people.trend.title", lang), lang, with_median=True),
        pc.grid("people-trend-grid", _trend_table(trend, lang), TREND_COLUMNS, lang),
        lang,
        note=t("people.trend.note", lang),
    )
    rank_card = chart_card(
        "people-rank-graph",
        pc.rank_history_figure(
            scores, period_type, t("people.rank.title", lang, period_type=type_name), lang
        ),
        pc.grid("people-rank-grid", _rank_table(scores, period_type, lang), RANK_COLUMNS, lang),
        lang,
    )
    return [
        section_title(t("people.section.trend", lang)),
        dbc.Row([dbc.Col(trend_card, lg=6), dbc.Col(rank_card, lg=6)], class_name="g-3"),
        section_title(t("people.section.ratings", lang)),
        _card(
            pc.grid_or_note(
                "people-ratings-grid",
                *_ratings_wide(page["ratings"], lang),
                lang,
                page_size=12,
            ),
            t("people.ratings.note", lang),
        ),
        section_title(t("people.section.feedback", lang)),
        _card(
            pc.grid_or_note(
                "people-feedback-grid",
                _feedback_table(page["feedback"], lang),
                FEEDBACK_COLUMNS,
                lang,
            ),
            t("people.feedback.note", lang),
        ),
        section_title(t("people.section.results", lang)),
        _card(
            pc.grid_or_note(
                "people-results-grid",
                _results_table(page["results"], lang),
                RESULT_COLUMNS,
                lang,
            )
        ),
    ]


def _card(body, note: str | None = None) -> dbc.Card:
    return dbc.Card(dbc.CardBody([body, pc.note(note) if note else None]), class_name="chart-card")


# -- records behind an indicator --------------------------------------------------------------


def records_view(
    path: Path,
    who: Asker,
    staff_id: str,
    decoded: tuple[str, date],
    indicators: pd.DataFrame,
    indicator: str | None,
    lang: str,
) -> list:
    """The records feeding `indicator` in the period: cases and tickets, or the ratings of a
    rating indicator; a derived indicator has none of its own."""
    match = indicators[indicators["indicator_code"] == indicator]
    if not indicator or match.empty:
        return [html.Div(t("grid.no_rows", lang), className="text-muted")]
    kind = str(match["kind"].iloc[0])
    if kind == "derived":
        return [pc.notice(t("people.records.derived", lang), "people-records-note", "light")]
    if kind == "rating":
        ratings = pq.person_ratings(path, who, staff_id, *decoded)
        ratings = ratings.assign(rater_type=[pc.value_name(r, lang) for r in ratings["rater_type"]])
        return [
            pc.note(t("people.records.ratings", lang), "people-records-note"),
            pc.grid("people-records-grid", ratings, RATING_COLUMNS, lang),
        ]
    found = pq.indicator_records(path, who, staff_id, *decoded, indicator)
    total = int(found["total"].iloc[0]) if len(found) else 0
    if total > len(found):
        count = t("people.records.capped", lang, total=f"{total:,}", shown=f"{len(found):,}")
    else:
        count = t("people.records.count", lang, total=f"{total:,}")
    return [
        html.Div(count, className="records-count", id="people-records-note"),
        pc.grid(
            "people-records-grid",
            _records_table(found, lang),
            RECORD_COLUMNS,
            lang,
            page_size=RECORDS_PAGE,
        ),
    ]


# -- tables -----------------------------------------------------------------------------------

INDICATOR_COLUMNS = [
    Column("indicator", "person.col.indicator"),
    Column("part", "person.col.part"),
    Column("score", "person.col.score", "score"),
    Column("value_text", "person.col.value"),
    Column("adjusted_text", "person.col.value_adjusted"),
    Column("n", "person.col.n", "int"),
    Column("median_text", "person.col.median_value"),
    Column("category_median_score", "person.col.median_score", "score"),
    Column("weight", "person.col.weight", "int"),
    Column("effective_weight", "person.col.effective_weight", "rate"),
    Column("sufficient", "person.col.sufficient"),
]
INDICATOR_EXPORT_COLUMNS = [
    Column("indicator_code", "person.col.code"),
    *INDICATOR_COLUMNS[:3],
    Column("value", "person.col.value"),
    Column("value_adjusted", "person.col.value_adjusted"),
    Column("n", "person.col.n"),
    Column("category_median_value", "person.col.median_value"),
    *INDICATOR_COLUMNS[7:],
    Column("contribution", "person.col.contribution"),
]


def _indicator_table(indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = row_dicts(indicators)
    return indicators.assign(
        indicator=[pick(r, "name", lang) for r in rows],
        part=[
            t(
                "person.part.qualitative" if r["is_qualitative"] else "person.part.quantitative",
                lang,
            )
            for r in rows
        ],
        value_text=[pc.indicator_value_text(r["value"], r["kind"], r["unit"], lang) for r in rows],
        adjusted_text=[
            pc.indicator_value_text(r["value_adjusted"], r["kind"], r["unit"], lang) for r in rows
        ],
        median_text=[
            pc.indicator_value_text(r["category_median_value"], r["kind"], r["unit"], lang)
            for r in rows
        ],
        sufficient=[pc.yes_no(r["is_sufficient"], lang) for r in rows],
    )


RECORD_COLUMNS = [
    Column("record_no", "person.col.record_no"),
    Column("detail", "person.col.detail"),
    Column("started", "person.col.started_at"),
    Column("finished", "person.col.finished_at"),
    Column("promised", "person.col.promised"),
    Column("working_days_used", "person.col.working_days", "days"),
    Column("on_time", "person.col.on_time"),
    Column("outcome", "person.col.outcome"),
    Column("credit", "person.col.credit", "ratio"),
    Column("source", "person.col.source"),
]

RECORD_EXPORT_COLUMNS = [
    Column("record_type_name", "person.col.record_type"),
    *RECORD_COLUMNS,
    Column("indicator_codes", "person.col.code"),
]


def _records_table(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    return found.assign(
        record_type_name=[t(f"person.record.{kind}", lang) for kind in found["record_type"]],
        on_time=[pc.yes_no(v, lang) for v in found["is_on_time"]],
        outcome=[pc.value_name(v, lang) for v in found["outcome"]],
    )


TREND_COLUMNS = [
    Column("month", "person.col.period"),
    Column("composite_score", "person.col.composite", "score"),
    Column("category_median", "person.col.category_median", "score"),
    Column("insufficient", "person.col.insufficient"),
]


def _trend_table(trend: pd.DataFrame, lang: str) -> pd.DataFrame:
    return trend.iloc[::-1].assign(
        month=[period_label("month", m, lang) for m in trend["period_start"].iloc[::-1]],
        insufficient=[pc.yes_no(v, lang) for v in trend["insufficient_data"].iloc[::-1]],
    )


RANK_COLUMNS = [
    Column("period", "person.col.period"),
    Column("composite_score", "person.col.composite", "score"),
    Column("rank", "person.col.rank_in_category"),
    Column("office_rank", "person.col.office_rank"),
    Column("category_percentile", "person.col.percentile", "rate"),
    Column("movement", "person.col.movement"),
]


def _rank_table(scores: pd.DataFrame, period_type: str, lang: str) -> pd.DataFrame:
    ordered = scores.iloc[::-1]
    rows = row_dicts(ordered)
    return ordered.assign(
        period=[period_label(period_type, r["period_start"], lang) for r in rows],
        rank=[
            pc.rank_of(r["rank_in_category"], r["n_in_category"])
            if not r["insufficient_data"]
            else t("person.kpi.not_ranked", lang)
            for r in rows
        ],
        office_rank=[pc.rank_of(r["rank_in_office"], r["n_in_office"]) for r in rows],
        movement=[
            pc.movement(r["rank_change"], r["previous_rank"], lang)
            if not r["insufficient_data"]
            else ""
            for r in rows
        ],
    )


RATING_COLUMNS = [
    Column("period_label", "person.col.period"),
    Column("rater_type", "person.col.rater"),
    Column("score", "person.col.score", "score"),
    Column("rater_count", "person.col.rater_count", "int"),
]

RATER_ORDER = ("上级", "同事", "群众", "自评")


def _ratings_long(ratings: pd.DataFrame, lang: str) -> pd.DataFrame:
    return ratings.assign(rater_type=[pc.value_name(r, lang) for r in ratings["rater_type"]])


def _ratings_wide(ratings: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """One row per rated period, one column per rater group: "84.0（3人）"."""
    if ratings.empty:
        return ratings, RATING_COLUMNS
    raters = sorted(
        ratings["rater_type"].unique(),
        key=lambda r: (RATER_ORDER.index(r) if r in RATER_ORDER else len(RATER_ORDER), r),
    )
    # One pass in Python: pivot_table cost more than the query behind it.
    rows: dict[tuple, dict] = {}
    for rating in row_dicts(ratings):
        key = (rating["period_start"], rating["period_type"], rating["period_label"])
        row = rows.setdefault(
            key, {"period_start": key[0], "period_type": key[1], "period_label": key[2]}
        )
        row.setdefault(
            str(rating["rater_type"]),
            t(
                "people.ratings.cell",
                lang,
                score=pc.score_text(rating["score"]),
                n=int(rating["rater_count"]),
            ),
        )
    order = sorted(rows, key=lambda key: (key[0], key[1]), reverse=True)
    wide = pd.DataFrame([rows[key] for key in order])
    columns = [Column("period_label", "person.col.period")] + [
        Column(r, "person.col.rater", header=str(pc.value_name(r, lang))) for r in raters
    ]
    return wide, columns


FEEDBACK_COLUMNS = [
    Column("period_label", "person.col.period"),
    Column("kind", "person.col.kind"),
    Column("held", "person.col.held_on"),
    Column("resolved", "person.col.resolved_on"),
    Column("outcome", "person.col.outcome"),
    Column("due", "person.col.due_on"),
    Column("days_open", "person.col.days_open", "int"),
    Column("status", "person.col.status"),
]


def _feedback_table(feedback: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = row_dicts(feedback)
    return feedback.assign(
        kind=[pc.value_name(r["kind"], lang) for r in rows],
        outcome=[pc.value_name(r["outcome"], lang) for r in rows],
        held=[pc.when(r["held_on"]) for r in rows],
        resolved=[pc.when(r["resolved_on"]) for r in rows],
        due=[pc.when(r["due_on"]) for r in rows],
        status=[_feedback_status(r, lang) for r in rows],
    )


def _feedback_status(row: dict, lang: str) -> str:
    if row.get("is_late"):
        return t("person.status.late", lang)
    if row.get("is_open"):
        return t("person.status.open", lang)
    return t("person.status.closed", lang)


RESULT_COLUMNS = [
    Column("period_label", "person.col.period"),
    Column("recommended", "person.col.recommended_grade"),
    Column("final", "person.col.final_grade"),
    Column("action", "person.col.action"),
    Column("amount", "person.col.amount", "count"),
    Column("notified", "person.col.notified_on"),
    Column("decided", "person.col.decided_on"),
    Column("applied", "person.col.applied_on"),
    Column("days_to_apply", "person.col.days_to_apply", "int"),
    Column("status", "person.col.status"),
]


def _results_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = row_dicts(results)
    return results.assign(
        recommended=[pc.grade_name(r["recommended_grade"], lang) for r in rows],
        final=[pc.grade_name(r["final_grade"], lang) for r in rows],
        action=[pc.value_name(r["action"], lang) for r in rows],
        notified=[pc.when(r["notified_on"]) for r in rows],
        decided=[pc.when(r["decided_on"]) for r in rows],
        applied=[pc.when(r["applied_on"]) for r in rows],
        status=[_result_status(r, lang) for r in rows],
    )


def _result_status(row: dict, lang: str) -> str:
    flags = []
    if row.get("is_not_notified"):
        flags.append(t("person.status.not_notified", lang))
    if row.get("is_overdue"):
        flags.append(t("person.status.overdue", lang))
    if not flags:
        flags.append(t("person.status.on_time", lang))
    return ("；" if lang == "zh" else "; ").join(flags)


# -- the report -------------------------------------------------------------------------------


def person_report(
    path: Path, who: Asker, staff_id: str, decoded: tuple[str, date], lang: str
) -> dict[str, pd.DataFrame]:
    """Every table of the page for one person and period, one sheet each, as exported."""
    period_type, start = decoded
    page = pq.person_page(path, who, staff_id)
    bundle = pq.person_period(path, who, staff_id, period_type, start)
    profile, trend = page["profile"], page["trend"]
    scores, indicators = bundle["scores"], bundle["indicators"]
    found = pq.indicator_records(path, who, staff_id, period_type, start, None, None)
    return {
        t("people.sheet.summary", lang): _summary_sheet(profile, scores, decoded, lang),
        t("people.sheet.indicators", lang): pc.sheet(
            _indicator_table(indicators, lang), INDICATOR_EXPORT_COLUMNS, lang
        ),
        t("people.sheet.records", lang): pc.sheet(
            _records_table(found, lang), RECORD_EXPORT_COLUMNS, lang
        ),
        t("people.sheet.trend", lang): pc.sheet(_trend_table(trend, lang), TREND_COLUMNS, lang),
        t("people.sheet.ranks", lang): pc.sheet(
            _rank_table(scores, period_type, lang), RANK_COLUMNS, lang
        ),
        t("people.sheet.ratings", lang): pc.sheet(
            _ratings_long(page["ratings"], lang), RATING_COLUMNS, lang
        ),
        t("people.sheet.feedback", lang): pc.sheet(
            _feedback_table(page["feedback"], lang), FEEDBACK_COLUMNS, lang
        ),
        t("people.sheet.results", lang): pc.sheet(
            _results_table(page["results"], lang), RESULT_COLUMNS, lang
        ),
    }


def _summary_sheet(
    profile: pd.DataFrame, scores: pd.DataFrame, decoded: tuple[str, date], lang: str
) -> pd.DataFrame:
    period_type, start = decoded
    person = profile.iloc[0] if len(profile) else pd.Series(dtype=object)
    at = scores[scores["period_start"] == start]
    row = at.iloc[-1] if len(at) else pd.Series(dtype=object)
    items = [
        ("person.profile.name", person.get("name")),
        ("person.profile.staff_id", person.get("staff_id")),
        ("person.profile.department", person.get("department")),
        ("person.profile.position", person.get("position")),
        ("person.profile.category", category_name(str(person.get("role_category")), lang)),
        ("person.profile.staff_type", person.get("staff_type")),
        ("person.filter.period", period_label(period_type, start, lang)),
        ("person.kpi.composite", row.get("composite_score")),
        ("person.kpi.quantitative", row.get("quantitative_score")),
        ("person.kpi.qualitative", row.get("qualitative_score")),
        ("person.col.coverage", row.get("quantitative_coverage")),
        ("person.kpi.rank", pc.rank_of(row.get("rank_in_category"), row.get("n_in_category"))),
        ("person.kpi.office_rank", pc.rank_of(row.get("rank_in_office"), row.get("n_in_office"))),
        ("person.col.percentile", row.get("category_percentile")),
        ("person.kpi.grade", pc.grade_name(row.get("grade_recommendation"), lang)),
    ]
    return pd.DataFrame(
        {
            t("people.sheet.item", lang): [t(key, lang) for key, _ in items],
            t("people.sheet.value", lang): [
                None if is_missing(value) else value for _, value in items
            ],
        }
    )
