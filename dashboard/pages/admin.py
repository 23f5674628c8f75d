"""系统管理 — a refresh started by hand, the accounts, and the audit log (who viewed or
exported whose data, and when).

Only admins reach any of it: every component id carries the `admin-` prefix, so `auth` refuses
any other role's callback before it runs, and the callbacks that change something ask again
(`refuse_unless`). Every change, and every refresh asked for, is written to the audit log.
The rules of an account are `townperf.users`'s, the refresh is `townperf refresh` in a process
of its own (`townperf.scheduler.start_refresh`): the page only asks and reports.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import audit_view, guard_layout, refuse_unless, viewer
from dashboard.components.layout import page_header, section_title
from dashboard.components.table import Column, data_grid, records
from dashboard.context import current_settings
from dashboard.i18n import current_lang, has, t
from ingest.run import expand_paths
from townperf import pipeline, scheduler, users
from townperf.settings import Settings
from warehouse.store import WarehouseBusy

dash.register_page(
    __name__,
    path="/admin",
    name="系统管理",
    title=lambda: f"{t('page.admin')} · {t('app.title')}",
    order=90,
    label_key="page.admin",
)

POLL_MS = 2000  # how often the status of a running refresh is asked for
MAX_PROBLEMS = 5

USER_COLUMNS = [
    Column("username", "admin.username"),
    Column("role", "admin.role"),
    Column("role_name", "admin.role_name"),
    Column("staff_id", "admin.staff_id"),
    Column("office", "admin.office"),
]
AUDIT_COLUMNS = [
    Column("at", "admin.at"),
    Column("username", "admin.username"),
    Column("role", "admin.role"),
    Column("action", "admin.action"),
    Column("subject", "admin.subject"),
    Column("detail", "admin.detail"),
]


@guard_layout("admin")
def layout(**_query: str) -> html.Div:
    lang = current_lang()
    settings = current_settings()
    home = Path(settings.root)
    running = scheduler.refresh_running(settings)
    return html.Div(
        [
            page_header(t("page.admin", lang), t("admin.lead", lang)),
            section_title(t("admin.refresh.title", lang)),
            _refresh_card(settings, running, lang),
            section_title(t("admin.accounts", lang)),
            data_grid("admin-users", accounts_table(home, lang), USER_COLUMNS, lang),
            _account_forms(home, lang),
            section_title(t("admin.audit", lang)),
            data_grid("admin-audit", audit_table(home), AUDIT_COLUMNS, lang),
        ],
        className="admin-page",
    )


# -- refresh ----------------------------------------------------------------------------------


@callback(
    Output("admin-refresh-message", "children"),
    Output("admin-refresh-launched", "data"),
    Input("admin-refresh-start", "n_clicks"),
    prevent_initial_call=True,
)
def start_refresh(n_clicks: int | None):
    """Start a refresh unless one runs; a second click while it runs starts nothing."""
    refuse_unless("admin")
    if not n_clicks:
        return dash.no_update, dash.no_update
    lang = current_lang()
    settings = current_settings()
    try:
        started = scheduler.start_refresh(settings)
    except WarehouseBusy as exc:
        audit_view("refresh_refused", None, str(exc))
        text = t("admin.refresh.busy", lang, detail=str(exc))
        return dbc.Alert(text, color="warning", id="admin-refresh-busy"), dash.no_update
    except OSError as exc:  # no `townperf` to run, a home it may not write to, …
        audit_view("refresh_failed", None, f"{type(exc).__name__}: {exc}")
        text = t("admin.refresh.failed", lang, error=f"{type(exc).__name__}: {exc}")
        return dbc.Alert(text, color="danger", id="admin-refresh-failed"), dash.no_update
    log = started.log.relative_to(settings.root)
    audit_view("refresh_start", None, f"pid {started.pid}; output {log}")
    text = t("admin.refresh.started", lang, pid=started.pid, log=str(log))
    return dbc.Alert(text, color="success", id="admin-refresh-started"), {"pid": started.pid}


@callback(
    Output("admin-refresh-status", "children"),
    Output("admin-refresh-poll", "disabled"),
    Input("admin-refresh-poll", "n_intervals"),
    Input("admin-refresh-launched", "data"),
    prevent_initial_call=True,
)
def show_refresh(_ticks: int | None, _launched: dict | None):
    """The status, asked again every POLL_MS while a refresh runs and once when it has ended."""
    settings = current_settings()
    running = scheduler.refresh_running(settings)
    return refresh_status(settings, running, current_lang()), running is None


def _refresh_card(settings: Settings, running: str | None, lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.P(t("admin.refresh.note", lang), className="text-muted"),
                dbc.Button(t("admin.refresh.button", lang), id="admin-refresh-start"),
                html.Div(id="admin-refresh-message", className="mt-3"),
                html.Div(
                    refresh_status(settings, running, lang),
                    id="admin-refresh-status",
                    className="mt-3",
                ),
                dcc.Interval(id="admin-refresh-poll", interval=POLL_MS, disabled=running is None),
                dcc.Store(id="admin-refresh-launched"),
            ]
        ),
        class_name="mb-4",
    )


def refresh_status(settings: Settings, running: str | None, lang: str) -> list:
    """Whether a refresh runs now, what waits in the inbox, and how the latest run went."""
    if running is None:
        state = t("admin.refresh.state.idle", lang)
    elif running == scheduler.STARTING:
        state = t("admin.refresh.state.starting", lang)
    else:
        state = t("admin.refresh.state.running", lang, holder=running)
    waiting = len(expand_paths([settings.inbox])) if settings.inbox.is_dir() else 0
    history = pipeline.read_history(settings)
    return [
        _line(
            html.Strong(t("admin.refresh.state", lang) + "："),
            html.Span(state, id="admin-refresh-state"),
        ),
        _line(t("admin.refresh.inbox", lang, n=waiting), id="admin-refresh-inbox"),
        _last_run(history[0], lang)
        if history
        else _line(t("admin.refresh.none", lang), id="admin-refresh-last"),
        html.P(
            [t("admin.refresh.history", lang) + " ", html.A(t("page.data", lang), href="/data")],
            className="text-muted mt-2",
        ),
    ]


def _last_run(run: dict, lang: str) -> html.Div:
    summary = t("admin.refresh.run", lang, run_id=run["run_id"], status=_label(run["status"], lang))
    lines: list = [
        _line(
            html.Strong(t("admin.refresh.last", lang) + "："),
            html.Span(summary, id="admin-refresh-last"),
        ),
        _line(
            t(
                "admin.refresh.times",
                lang,
                started=_when(run.get("started_at")),
                finished=_when(run.get("finished_at")),
                seconds=run.get("seconds") or 0,
            )
        ),
        _line(
            t(
                "admin.refresh.files",
                lang,
                loaded=run.get("files_loaded", 0),
                skipped=run.get("files_skipped", 0),
                refused=run.get("files_refused", 0),
            )
        ),
        _line(
            t(
                "admin.refresh.rows",
                lang,
                loaded=f"{run.get('rows_loaded', 0):,}",
                quarantined=f"{run.get('rows_quarantined', 0):,}",
            )
        ),
        _line(t("admin.refresh.build", lang, status=_label(run.get("dbt_status"), lang))),
    ]
    if run.get("error"):
        lines.append(
            _line(t("admin.refresh.error", lang, error=run["error"]), className="text-danger")
        )
    problems = run.get("problems") or []
    if problems:
        lines.append(_line(t("admin.refresh.problems", lang), className="text-danger"))
        lines.append(html.Ul([html.Li(str(p)) for p in problems[:MAX_PROBLEMS]]))
    return html.Div(lines, className="admin-refresh-last")


def _line(*children, className: str = "", **props) -> html.P:
    return html.P(list(children), className=f"mb-1 {className}".strip(), **props)


def _label(status: str | None, lang: str) -> str:
    if not status:
        return "—"
    return t(f"status.{status}", lang) if has(f"status.{status}") else status


def _when(stamp: str | None) -> str:
    return stamp.replace("T", " ")[:19] if stamp else "—"


# -- accounts ---------------------------------------------------------------------------------


@callback(
    Output("admin-user-message", "children"),
    Output("admin-users", "rowData"),
    Output("admin-user-pick", "options"),
    Output("admin-new-password", "value"),
    Output("admin-new-password2", "value"),
    Output("admin-reset-password", "value"),
    Output("admin-audit", "rowData"),
    Input("admin-user-add", "n_clicks"),
    Input("admin-user-reset", "n_clicks"),
    Input("admin-user-remove", "submit_n_clicks"),
    State("admin-new-name", "value"),
    State("admin-new-role", "value"),
    State("admin-new-staff-id", "value"),
    State("admin-new-office", "value"),
    State("admin-new-password", "value"),
    State("admin-new-password2", "value"),
    State("admin-user-pick", "value"),
    State("admin-reset-password", "value"),
    prevent_initial_call=True,
)
def change_accounts(
    _add: int | None,
    _reset: int | None,
    _remove: int | None,
    name: str | None,
    role: str | None,
    staff_id: str | None,
    office: str | None,
    password: str | None,
    password2: str | None,
    picked: str | None,
    new_password: str | None,
):
    """Create, reset or remove an account, by the button pressed; the lists show the result."""
    refuse_unless("admin")
    lang = current_lang()
    home = Path(current_settings().root)
    action = dash.ctx.triggered_id
    name = (name or "").strip()
    try:
        if action == "admin-user-add":
            if (password or "") != (password2 or ""):
                raise users.UserError("the two passwords differ", "mismatch")
            user = users.add_user(
                home, name, password or "", role or "", staff_id, office, replace=False
            )
            detail = (
                f"role {user.role}; staff id {user.staff_id or '-'}; office {user.office or '-'}"
            )
            audit_view("user_add", user.username, detail)
            done = t(
                "admin.users.added", lang, name=user.username, role=_role_name(user.role, lang)
            )
        elif action in ("admin-user-reset", "admin-user-remove") and not picked:
            raise users.UserError("no account chosen", "pick")
        elif action == "admin-user-reset":
            users.set_password(home, picked, new_password or "")
            audit_view("user_password_reset", picked)
            done = t("admin.users.reset", lang, name=picked)
        elif action == "admin-user-remove":
            if picked == viewer().username:
                raise users.UserError("an admin cannot remove their own account", "self")
            removed = users.remove_user(home, picked)
            audit_view("user_remove", removed.username, f"role {removed.role}")
            done = t("admin.users.removed", lang, name=removed.username)
        else:
            raise PreventUpdate
    except users.UserError as exc:
        subject = name if action == "admin-user-add" else picked
        alert = dbc.Alert(error_text(exc, subject, lang), color="danger", id="admin-user-error")
        return alert, *([dash.no_update] * 6)
    accounts = accounts_table(home, lang)
    return (
        dbc.Alert(done, color="success", id="admin-user-done"),
        records(accounts),
        _account_options(accounts),
        "",
        "",
        "",
        records(audit_table(home)),
    )


def error_text(exc: users.UserError, subject: str | None, lang: str) -> str:
    """The rule an account broke, said in the reader's language (the message is the CLI's)."""
    key = f"admin.error.{exc.code}"
    values = {
        "name": subject or "",
        "max": users.MAX_NAME,
        "min": users.MIN_PASSWORD,
        "message": str(exc),
    }
    return t(key, lang, **values) if has(key) else t("admin.error.invalid", lang, **values)


def accounts_table(home: Path, lang: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [u.__dict__ for u in users.list_users(home)],
        columns=["username", "role", "staff_id", "office"],
    )
    frame["role_name"] = [_role_name(role, lang) for role in frame["role"]]
    return frame


def audit_table(home: Path) -> pd.DataFrame:
    return pd.DataFrame(users.audit_entries(home), columns=[c.field for c in AUDIT_COLUMNS])


def _role_name(role: str, lang: str) -> str:
    return t(f"role.{role}", lang) if has(f"role.{role}") else role


def _account_options(accounts: pd.DataFrame) -> list[dict]:
    return [
        {"label": f"{name} · {role_name}", "value": name}
        for name, role_name in zip(accounts["username"], accounts["role_name"], strict=True)
    ]


def _field(label: str, control, control_id: str) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, html_for=control_id, class_name="mb-1"), control],
        xs=12,
        md=6,
        class_name="mb-2",
    )


def _account_forms(home: Path, lang: str) -> html.Div:
    roles = [{"label": _role_name(role, lang), "value": role} for role in users.ROLES]
    new = dbc.Card(
        dbc.CardBody(
            [
                html.H5(t("admin.users.add", lang)),
                dbc.Row(
                    [
                        _field(
                            t("admin.username", lang),
                            dbc.Input(id="admin-new-name", autocomplete="off"),
                            "admin-new-name",
                        ),
                        _field(
                            t("admin.role", lang),
                            dbc.Select(id="admin-new-role", options=roles, value="staff"),
                            "admin-new-role",
                        ),
                        _field(
                            t("admin.staff_id", lang),
                            dbc.Input(id="admin-new-staff-id", autocomplete="off"),
                            "admin-new-staff-id",
                        ),
                        _field(
                            t("admin.office", lang),
                            dbc.Input(id="admin-new-office", autocomplete="off"),
                            "admin-new-office",
                        ),
                        _field(
                            t("admin.users.password", lang),
                            dbc.Input(
                                id="admin-new-password",
                                type="password",
                                autocomplete="new-password",
                            ),
                            "admin-new-password",
                        ),
                        _field(
                            t("admin.users.password2", lang),
                            dbc.Input(
                                id="admin-new-password2",
                                type="password",
                                autocomplete="new-password",
                            ),
                            "admin-new-password2",
                        ),
                    ]
                ),
                html.P(
                    t("admin.users.hint", lang, min=users.MIN_PASSWORD),
                    className="text-muted small",
                ),
                dbc.Button(t("admin.users.add_button", lang), id="admin-user-add"),
            ]
        ),
        class_name="h-100",
    )
    existing = dbc.Card(
        dbc.CardBody(
            [
                html.H5(t("admin.users.manage", lang)),
                _field(
                    t("admin.users.pick", lang),
                    dbc.Select(
                        id="admin-user-pick",
                        options=_account_options(accounts_table(home, lang)),
                        placeholder=t("admin.users.pick", lang),
                    ),
                    "admin-user-pick",
                ),
                _field(
                    t("admin.users.new_password", lang),
                    dbc.Input(
                        id="admin-reset-password", type="password", autocomplete="new-password"
                    ),
                    "admin-reset-password",
                ),
                html.Div(
                    [
                        dbc.Button(
                            t("admin.users.reset_button", lang),
                            id="admin-user-reset",
                            class_name="me-2",
                        ),
                        dcc.ConfirmDialogProvider(
                            dbc.Button(
                                t("admin.users.remove_button", lang),
                                id="admin-user-remove-button",
                                color="danger",
                            ),
                            id="admin-user-remove",
                            message=t("admin.users.remove_confirm", lang),
                        ),
                    ],
                    className="d-flex",
                ),
            ]
        ),
        class_name="h-100",
    )
    return html.Div(
        [
            dbc.Row(
                [dbc.Col(new, xs=12, lg=7), dbc.Col(existing, xs=12, lg=5)],
                class_name="g-3 mt-2",
            ),
            html.Div(id="admin-user-message", className="mt-3"),
        ]
    )
