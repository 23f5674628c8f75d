"""Accounts and the audit log (系统管理): who viewed or exported whose data, and when."""

from __future__ import annotations

from pathlib import Path

import dash
import pandas as pd
from dash import html

from dashboard.auth import guard_layout
from dashboard.components.layout import page_header, section_title
from dashboard.components.table import Column, data_grid
from dashboard.context import current_settings
from dashboard.i18n import current_lang, t
from townperf import users

dash.register_page(
    __name__,
    path="/admin",
    name="系统管理",
    title=lambda: f"{t('page.admin')} · {t('app.title')}",
    order=90,
    label_key="page.admin",
)

USER_COLUMNS = [
    Column("username", "admin.username"),
    Column("role", "admin.role"),
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
    home = Path(current_settings().root)
    accounts = pd.DataFrame(
        [u.__dict__ for u in users.list_users(home)], columns=[c.field for c in USER_COLUMNS]
    )
    audit = pd.DataFrame(users.audit_entries(home), columns=[c.field for c in AUDIT_COLUMNS])
    return html.Div(
        [
            page_header(t("page.admin", lang), t("admin.subtitle", lang)),
            section_title(t("admin.accounts", lang)),
            data_grid("admin-users", accounts, USER_COLUMNS, lang),
            section_title(t("admin.audit", lang)),
            data_grid("admin-audit", audit, AUDIT_COLUMNS, lang),
        ],
        className="admin-page",
    )
