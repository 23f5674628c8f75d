"""Fixtures of the security suite: the real app on the session's built warehouse, one account per
role, and the roster whose names and ids must not leak."""

from __future__ import annotations

from dataclasses import dataclass

import dash
import pytest

from dashboard.app import create_app
from tests.security.dash_http import PASSWORD, ROLES
from townperf import users
from townperf.settings import get_settings
from warehouse.store import connect_read


def fetch(warehouse_path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect_read(warehouse_path)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def app(built_home) -> dash.Dash:
    application = create_app(get_settings(built_home))
    application.server.test_client().get("/")  # Dash registers its pages callback on first use
    return application


@dataclass(frozen=True)
class Roster:
    """Everyone on the roster; `office` is the office head account's office, `member` the staff
    account's person (one of that office's people)."""

    ids: frozenset[str]
    names: frozenset[str]
    name_of: dict[str, str]
    office: str
    office_ids: frozenset[str]
    member: str

    def names_of(self, ids) -> set[str]:
        return {self.name_of[sid] for sid in ids}


@pytest.fixture(scope="session")
def roster(warehouse_path) -> Roster:
    rows = fetch(warehouse_path, "select distinct staff_id, name, department from marts.dim_staff")
    # The office head's office: the one with most current people; the staff account is its
    # first current person.
    member, office = fetch(
        warehouse_path,
        "select staff_id, department from marts.dim_staff where is_current "
        "order by count(*) over (partition by department) desc, staff_id limit 1",
    )[0]
    # Anyone who was ever in that office may show up in its office head's views.
    office_ids = frozenset(sid for sid, _, dept in rows if dept == office)
    return Roster(
        ids=frozenset(sid for sid, _, _ in rows),
        names=frozenset(name for _, name, _ in rows),
        name_of={sid: name for sid, name, _ in rows},
        office=office,
        office_ids=office_ids,
        member=member,
    )


@pytest.fixture(scope="session")
def accounts(built_home, roster) -> dict[str, dict]:
    """`sec-<role>` for every signed-in role: the office head heads the roster's `office`, the
    staff account is its `member`."""
    extra = {
        "staff": {"staff_id": roster.member},
        "office_head": {"office": roster.office},
    }
    for role in ROLES[1:]:
        users.add_user(built_home, f"sec-{role}", PASSWORD, role, **extra.get(role, {}))
    return extra
