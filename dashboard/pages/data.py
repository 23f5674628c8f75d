"""数据管理 — the state of the data: refresh history, rows per source file, validation results,
quarantined rows with their reasons, freshness per source, and records nobody can be credited
with (a handler id on no roster).

Quarantined rows are export rows as they came (roster rows with names among them): each view
and export of them is written to the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.auth import audit_view, guard_layout
from dashboard.components import person as pc
from dashboard.components import report_figures as rf
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.formatting import fmt_value, is_missing, markdown_link
from dashboard.components.layout import page_header, section_title
from dashboard.components.layout import warehouse_missing as warehouse_missing_notice
from dashboard.components.reports import compact, graph, source_name, status_name
from dashboard.components.table import Column
from dashboard.context import current_settings, warehouse_path
from dashboard.data_docs import docs_url
from dashboard.i18n import current_lang, t
from townperf import datadocs
from warehouse import report_queries as rq
from warehouse.queries import WarehouseUnavailable

dash.register_page(
    __name__,
    path="/data",
    name="数据管理",
    title=lambda: f"{t('page.data')} · {t('app.title')}",
    order=80,
    label_key="page.data",
)

ALL = "__all__"
PAGE_SIZE = 15


@guard_layout("data")
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    header = page_header(t("page.data", lang), t("data.subtitle", lang))
    path = warehouse_path()
    history = rq.refresh_history(current_settings())
    docs = [p.name for p in datadocs.available(current_settings())]
    try:
        loads = rq.loads(path)
        freshness = rq.source_freshness(path)
        unattributed = rq.unattributed(path)
    except WarehouseUnavailable:
        return html.Div(
            [header, warehouse_missing_notice(lang), _history_section(history, docs, lang)]
        )
    sources = sorted(loads["source"].dropna().unique())
    return html.Div(
        [
            header,
            _stat_row(history, loads, unattributed, lang),
            section_title(t("data.section.history", lang)),
            _history_section(history, docs, lang),
            section_title(t("data.section.freshness", lang)),
            _freshness_section(freshness, lang),
            section_title(t("data.section.files", lang)),
            _filter_bar(sources, loads, lang),
            html.Div(filtered_sections(path, None, None, lang), id="data-filtered"),
            section_title(t("data.section.unattributed", lang)),
            _unattributed_section(unattributed, lang),
            dcc.Download(id="data-download"),
        ],
        className="data-page",
    )


def warm(path: Path) -> None:
    """Run the default view's warehouse queries so they are memoized before its first reader
    (dashboard.warmup); the quarantine is not rendered here, so no view of it is audited."""
    rq.loads(path)
    rq.source_freshness(path)
    rq.unattributed(path)
    rq.validation_results(path, None, None)
    rq.quarantine_reasons(path, None, None)
    rq.quarantine(path, None, None)


@callback(
    Output("data-file", "options"),
    Output("data-file", "value"),
    Input("data-source", "value"),
    prevent_initial_call=True,
)
def update_files(source: str | None) -> tuple[list[dict], str]:
    return file_options(rq.loads(warehouse_path()), _chosen(source), current_lang()), ALL


@callback(
    Output("data-filtered", "children"),
    Input("data-source", "value"),
    Input("data-file", "value"),
    prevent_initial_call=True,
)
def update_filtered(source: str | None, file_name: str | None) -> list:
    return filtered_sections(warehouse_path(), _chosen(source), _chosen(file_name), current_lang())


@callback(
    Output("data-download", "data"),
    Input("data-export", "n_clicks"),
    State("data-source", "value"),
    State("data-file", "value"),
    prevent_initial_call=True,
)
def export_quarantine(n_clicks: int | None, source: str | None, file_name: str | None):
    """The quarantined rows, checks and files of the filter, with the page's refresh history
    and freshness by source."""
    if not n_clicks:
        return dash.no_update
    lang = current_lang()
    path = warehouse_path()
    source, file_name = _chosen(source), _chosen(file_name)
    rows, _ = rq.quarantine(path, source, file_name, None)
    sheets = {
        t("data.sheet.quarantine", lang): pc.sheet(
            quarantine_table(rows, lang), QUARANTINE_COLUMNS, lang
        ),
        t("data.sheet.validation", lang): pc.sheet(
            validation_table(rq.validation_results(path, source, file_name), lang),
            VALIDATION_COLUMNS,
            lang,
        ),
        t("data.sheet.loads", lang): pc.sheet(
            loads_table(_filter_loads(rq.loads(path), source, file_name), lang), LOAD_COLUMNS, lang
        ),
        # the page-wide tables, as shown whatever the filter (the Data Docs links stay online)
        t("data.sheet.history", lang): pc.sheet(
            history_table(rq.refresh_history(current_settings()), lang), HISTORY_SHEET, lang
        ),
        t("data.sheet.freshness", lang): pc.sheet(
            freshness_table(rq.source_freshness(path), lang), FRESHNESS_COLUMNS, lang
        ),
    }
    audit_view("export_quarantine", None, f"{source or 'all'} {file_name or 'all'}")
    return dcc.send_bytes(to_xlsx_bytes(sheets), "quarantine.xlsx")


def _chosen(value: str | None) -> str | None:
    return None if value in (None, "", ALL) else value


# -- summary and history ----------------------------------------------------------------------


def _stat_row(
    history: pd.DataFrame, loads: pd.DataFrame, unattributed: pd.DataFrame, lang: str
) -> dbc.Row:
    last = history.iloc[0] if len(history) else None
    loaded = loads[loads["status"] == "loaded"]
    rows_read = loaded["rows_read"].sum()
    quarantined = loaded["rows_quarantined"].sum()
    last_text = (
        pc.when(last["finished_at"] or last["started_at"], with_time=True)
        if last is not None
        else None
    )
    cards = [
        pc.stat_card(
            "data-kpi-last-refresh",
            t("data.kpi.last_refresh", lang),
            status_name(last["status"], lang) if last is not None else "—",
            last_text or t("data.kpi.never", lang),
            tone="stat-main" if last is not None and last["status"] == "success" else "stat-alert",
        ),
        pc.stat_card(
            "data-kpi-files",
            t("data.kpi.files", lang),
            fmt_value(len(loaded), "count"),
            t("data.kpi.files_detail", lang, refused=int((loads["status"] == "refused").sum())),
        ),
        pc.stat_card(
            "data-kpi-rows",
            t("data.kpi.rows", lang),
            fmt_value(loaded["rows_loaded"].sum(), "count"),
            t("data.kpi.rows_detail", lang, read=fmt_value(rows_read, "count")),
        ),
        pc.stat_card(
            "data-kpi-quarantined",
            t("data.kpi.quarantined", lang),
            fmt_value(quarantined, "count"),
            t(
                "data.kpi.quarantined_detail",
                lang,
                share=pc.percent(quarantined / rows_read if rows_read else None, 2),
            ),
            tone="stat-alert" if quarantined else "",
        ),
        pc.stat_card(
            "data-kpi-unattributed",
            t("data.kpi.unattributed", lang),
            fmt_value(unattributed["records"].sum(), "count"),
            t("data.kpi.unattributed_detail", lang, ids=unattributed["handler_id"].nunique()),
            tone="stat-alert" if len(unattributed) else "",
        ),
    ]
    return dbc.Row(
        [dbc.Col(card) for card in cards],
        class_name="row-cols-2 row-cols-md-3 row-cols-xl-5 g-3 stat-row",
    )


HISTORY_COLUMNS = [
    Column("started", "data.col.started"),
    Column("status_text", "data.col.status"),
    Column("files_loaded", "data.col.files_loaded", "int"),
    Column("files_skipped", "data.col.files_skipped", "int"),
    Column("files_refused", "data.col.files_refused", "int"),
    Column("rows_loaded", "data.col.rows_loaded", "int"),
    Column("rows_quarantined", "data.col.rows_quarantined", "int"),
    Column("expectations_failed", "data.col.expectations_failed", "int"),
    Column("dbt", "data.col.dbt"),
    Column("seconds", "data.col.seconds", "days"),
    Column("detail", "data.col.detail"),
    Column("docs", "data.col.docs"),
]
# The history as exported: a link to a run's Data Docs on the server means nothing in a file.
HISTORY_SHEET = [c for c in HISTORY_COLUMNS if c.field != "docs"]


def history_table(history: pd.DataFrame, lang: str, docs: list[str] | None = None) -> pd.DataFrame:
    """The history's display columns; `docs` are the runs whose Data Docs are kept."""
    kept = set(docs or ())
    return history.assign(
        started=[pc.when(s, with_time=True) for s in history["started_at"]],
        status_text=[status_name(s, lang) for s in history["status"]],
        dbt=[
            f"{status_name(s, lang)} ({int(n)})"
            if not is_missing(n) and n
            else status_name(s, lang)
            for s, n in zip(history["dbt_status"], history["dbt_nodes"], strict=True)
        ],
        detail=[
            e if isinstance(e, str) and e else p if isinstance(p, str) and p else None
            for e, p in zip(history["error"], history["problems"], strict=True)
        ],
        failed=history["status"].isin(["failed", "validation_failed", "interrupted"]),
        docs=[
            markdown_link(t("data.docs.open", lang), docs_url(run)) if run in kept else None
            for run in history["run_id"]
        ],
    )


def docs_link(docs: list[str], lang: str) -> html.Div:
    """The newest run's Data Docs, or a note that no run wrote any yet."""
    if not docs:
        return html.Div(t("data.docs.none", lang), className="text-muted", id="data-docs-latest")
    return html.Div(
        [
            html.A(
                t("data.docs.latest", lang),
                href=docs_url(docs[0]),
                target="_blank",
                rel="noopener",
                className="btn btn-outline-primary btn-sm",
                id="data-docs-latest",
            ),
            html.Span(t("data.docs.note", lang, kept=datadocs.KEEP), className="ms-2 text-muted"),
        ],
        className="mb-2",
    )


def _history_section(history: pd.DataFrame, docs: list[str], lang: str) -> dbc.Card:
    grid = compact(
        pc.grid(
            "data-history-grid",
            history_table(history, lang, docs),
            HISTORY_COLUMNS,
            lang,
            page_size=10 if len(history) > 10 else None,
            markdown=("docs",),
            class_rules={"status_text": {"status-late": "params.data.failed"}},
            extra=("failed",),
        ),
        wrap=("detail",),
    )
    return dbc.Card(
        dbc.CardBody([docs_link(docs, lang), grid, pc.note(t("data.history.note", lang))]),
        class_name="chart-card",
    )


# -- freshness --------------------------------------------------------------------------------

FRESHNESS_COLUMNS = [
    Column("label", "data.col.source"),
    Column("files", "data.col.files", "int"),
    Column("rows_loaded", "data.col.rows_loaded", "int"),
    Column("rows_quarantined", "data.col.rows_quarantined", "int"),
    Column("last_loaded", "data.col.last_loaded"),
    Column("latest", "data.col.latest_record"),
    Column("days_since_record", "data.col.days_since", "int"),
]


def freshness_table(freshness: pd.DataFrame, lang: str) -> pd.DataFrame:
    return freshness.assign(
        label=[source_name(s, lang) for s in freshness["source"]],
        last_loaded=[pc.when(v, with_time=True) for v in freshness["last_loaded_at"]],
        latest=[pc.when(v) for v in freshness["latest_record"]],
    )


def _freshness_section(freshness: pd.DataFrame, lang: str) -> dbc.Row:
    table = freshness_table(freshness, lang)
    figure = rf.rows_by_source_figure(
        table.fillna({"rows_loaded": 0, "rows_quarantined": 0}),
        t("data.freshness.figure", lang),
        lang,
    )
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            compact(
                                pc.grid("data-freshness-grid", table, FRESHNESS_COLUMNS, lang),
                                widths={"label": 130, "last_loaded": 150, "latest": 100},
                            ),
                            pc.note(t("data.freshness.note", lang)),
                        ]
                    ),
                    class_name="chart-card h-100",
                ),
                lg=7,
            ),
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(graph("data-rows-graph", figure)),
                    class_name="chart-card h-100",
                ),
                lg=5,
            ),
        ],
        class_name="g-3",
    )


# -- per file: loads, validation, quarantine --------------------------------------------------


def file_options(loads: pd.DataFrame, source: str | None, lang: str) -> list[dict]:
    files = _filter_loads(loads, source, None)["file_name"].dropna().drop_duplicates()
    return [{"label": t("data.filter.all_files", lang), "value": ALL}] + [
        {"label": f, "value": f} for f in sorted(files)
    ]


def _filter_loads(loads: pd.DataFrame, source: str | None, file_name: str | None) -> pd.DataFrame:
    keep = pd.Series(True, index=loads.index)
    if source:
        keep &= loads["source"] == source
    if file_name:
        keep &= loads["file_name"] == file_name
    return loads[keep]


def _filter_bar(sources: list[str], loads: pd.DataFrame, lang: str) -> dbc.Card:
    return pc.filter_bar(
        [
            pc.labelled(
                t("data.filter.source", lang),
                dbc.Select(
                    id="data-source",
                    options=[{"label": t("data.filter.all_sources", lang), "value": ALL}]
                    + [{"label": source_name(s, lang), "value": s} for s in sources],
                    value=ALL,
                ),
                "data-source",
                xs=12,
                md=4,
                lg=3,
            ),
            pc.labelled(
                t("data.filter.file", lang),
                dbc.Select(id="data-file", options=file_options(loads, None, lang), value=ALL),
                "data-file",
                xs=12,
                md=4,
                lg=4,
            ),
            dbc.Col(
                pc.export_button("data-export", t("data.export", lang)),
                xs="auto",
                class_name="ms-auto",
            ),
        ]
    )


LOAD_COLUMNS = [
    Column("file_name", "data.col.file"),
    Column("source_label", "data.col.source"),
    Column("status_text", "data.col.status"),
    Column("rows_read", "data.col.rows_read", "int"),
    Column("rows_loaded", "data.col.rows_loaded", "int"),
    Column("rows_quarantined", "data.col.rows_quarantined", "int"),
    Column("encoding", "data.col.encoding"),
    Column("loaded", "data.col.loaded_at"),
    Column("message", "data.col.message"),
]
VALIDATION_COLUMNS = [
    Column("file_name", "data.col.file"),
    Column("source_label", "data.col.source"),
    Column("result", "data.col.result"),
    Column("message", "data.col.expectation"),
    Column("unexpected_count", "data.col.unexpected", "int"),
]
REASON_COLUMNS = [
    Column("source_label", "data.col.source"),
    Column("reason_kind", "data.col.reason"),
    Column("rows", "data.col.rows", "int"),
]
QUARANTINE_COLUMNS = [
    Column("file_name", "data.col.file"),
    Column("line_number", "data.col.line", "int"),
    Column("reason", "data.col.reason"),
    Column("values", "data.col.values"),
]


def loads_table(loads: pd.DataFrame, lang: str) -> pd.DataFrame:
    return loads.assign(
        source_label=[source_name(s, lang) for s in loads["source"]],
        status_text=[status_name(s, lang) for s in loads["status"]],
        loaded=[pc.when(v, with_time=True) for v in loads["loaded_at"]],
    )


def validation_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    return results.assign(
        source_label=[source_name(s, lang) for s in results["source"]],
        result=[
            t("data.check.passed" if ok else "data.check.failed", lang) for ok in results["success"]
        ],
        failed=~results["success"].fillna(False).astype(bool),
    )


def original_values(text: object) -> str | None:
    """The row as it was in the file, one `column: value` after another."""
    if not isinstance(text, str):
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    return "；".join(f"{k}: {'' if v is None else v}" for k, v in values.items())


def quarantine_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return rows.assign(values=[original_values(v) for v in rows["original_values"]])


def filtered_sections(path: Path, source: str | None, file_name: str | None, lang: str) -> list:
    loads = _filter_loads(rq.loads(path), source, file_name)
    checks = validation_table(rq.validation_results(path, source, file_name), lang)
    reasons = rq.quarantine_reasons(path, source, file_name)
    reasons = reasons.assign(source_label=[source_name(s, lang) for s in reasons["source"]])
    rows, total = rq.quarantine(path, source, file_name)
    audit_view("view_quarantine", None, f"{source or 'all'} {file_name or 'all'}")
    failed = int((~checks["success"].astype(bool)).sum()) if len(checks) else 0
    shown = (
        t("data.quarantine.capped", lang, total=fmt_value(total, "count"), shown=len(rows))
        if total > len(rows)
        else t("data.quarantine.count", lang, total=fmt_value(total, "count"))
    )
    return [
        dbc.Card(
            dbc.CardBody(
                compact(
                    pc.grid(
                        "data-loads-grid",
                        loads_table(loads, lang),
                        LOAD_COLUMNS,
                        lang,
                        page_size=PAGE_SIZE if len(loads) > PAGE_SIZE else None,
                    ),
                    wrap=("message",),
                )
            ),
            class_name="chart-card",
        ),
        section_title(
            t("data.section.validation", lang),
            "data-validation-count",
            t("data.validation.count", lang, failed=failed, total=len(checks)),
        ),
        dbc.Card(
            dbc.CardBody(
                [
                    compact(
                        pc.grid(
                            "data-validation-grid",
                            checks,
                            VALIDATION_COLUMNS,
                            lang,
                            page_size=PAGE_SIZE if len(checks) > PAGE_SIZE else None,
                            class_rules={"result": {"status-late": "params.data.failed"}},
                            extra=("failed",),
                        ),
                        wrap=("message",),
                    ),
                    pc.note(t("data.validation.note", lang)),
                ]
            ),
            class_name="chart-card",
        ),
        section_title(t("data.section.quarantine", lang), "data-quarantine-count", shown),
        dbc.Row(
            [
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.H3(
                                    t("data.quarantine.reasons", lang), className="card-title-sm"
                                ),
                                compact(
                                    pc.grid(
                                        "data-reasons-grid",
                                        reasons,
                                        REASON_COLUMNS,
                                        lang,
                                        page_size=PAGE_SIZE if len(reasons) > PAGE_SIZE else None,
                                    ),
                                    wrap=("reason_kind",),
                                ),
                            ]
                        ),
                        class_name="chart-card h-100",
                    ),
                    lg=4,
                ),
                dbc.Col(
                    dbc.Card(
                        dbc.CardBody(
                            [
                                html.H3(t("data.quarantine.rows", lang), className="card-title-sm"),
                                compact(
                                    pc.grid(
                                        "data-quarantine-grid",
                                        quarantine_table(rows, lang),
                                        QUARANTINE_COLUMNS,
                                        lang,
                                        page_size=PAGE_SIZE,
                                    ),
                                    wrap=("reason",),
                                    widths={"file_name": 150, "reason": 220, "values": 260},
                                    tooltips=("values",),
                                ),
                                pc.note(t("data.quarantine.note", lang)),
                            ]
                        ),
                        class_name="chart-card h-100",
                    ),
                    lg=8,
                ),
            ],
            class_name="g-3",
        ),
    ]


# -- unattributed records ---------------------------------------------------------------------

UNATTRIBUTED_COLUMNS = [
    Column("label", "data.col.record_type"),
    Column("handler_id", "data.col.handler_id"),
    Column("records", "data.col.records", "int"),
    Column("first", "data.col.first_month"),
    Column("last", "data.col.last_month"),
]


def _unattributed_section(unattributed: pd.DataFrame, lang: str) -> dbc.Card:
    table = unattributed.assign(
        label=[source_name(s, lang) for s in unattributed["record_type"]],
        first=[
            f"{pd.Timestamp(m):%Y-%m}" if not is_missing(m) else None
            for m in unattributed["first_month"]
        ],
        last=[
            f"{pd.Timestamp(m):%Y-%m}" if not is_missing(m) else None
            for m in unattributed["last_month"]
        ],
    )
    return dbc.Card(
        dbc.CardBody(
            [
                compact(
                    pc.grid(
                        "data-unattributed-grid",
                        table,
                        UNATTRIBUTED_COLUMNS,
                        lang,
                        page_size=PAGE_SIZE if len(table) > PAGE_SIZE else None,
                    )
                ),
                pc.note(t("data.unattributed.note", lang)),
            ]
        ),
        class_name="chart-card",
    )
