"""Whose data an asker may read, decided where the data is read.

Every read of one person's data (`warehouse.person_queries`) and every list of people takes the
`Asker` and checks it before a row is read, so a page that forgets its own check still gets
nothing it should not show. The scope by role:

- staff: themself only;
- office head: the people of their office (and themself);
- hr, leader, admin: everyone;
- anyone else (public, an unknown role): nobody.

A person belongs to the office of their latest roster version, as in the people directory.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.queries import _query, warehouse_query

if TYPE_CHECKING:
    from townperf.settings import Settings

EVERYONE = frozenset({"hr", "leader", "admin"})
OFFICE_HEAD = "office_head"
SIGNED_IN = EVERYONE | {OFFICE_HEAD, "staff"}
# An office head's account without an office lists nobody: no office has this name.
NO_OFFICE = "\u0000no-office"


@dataclass(frozen=True)
class Asker:
    """Who is asking: their role, and the staff id and office their account is linked to."""

    role: str
    staff_id: str | None = None
    office: str | None = None


class NotInScope(PermissionError):
    """The asker may not read this person's data (or, for a list, anyone's)."""

    def __init__(self, asker: Asker, staff_id: str | None = None):
        whom = f"person {staff_id!r}" if staff_id is not None else "a list of people"
        super().__init__(f"role {asker.role!r} may not read {whom}")
        self.asker = asker
        self.staff_id = staff_id


@warehouse_query
def home_office(path: Path, staff_id: str) -> str | None:
    """The office of the person's latest roster version (None for an id on no roster)."""
    found = _query(
        """
        select department
        from marts.dim_staff
        where staff_id = $staff_id
        order by valid_from desc, version_no desc
        limit 1
        """,
        path,
        {"staff_id": staff_id},
    )
    return None if found.empty else str(found["department"].iloc[0])


def may_read(source: Path | str | Settings, asker: Asker, staff_id: str | None) -> bool:
    """Whether the asker may read this person's data."""
    if not staff_id:
        return False
    if asker.role in EVERYONE:
        return True
    if asker.role in SIGNED_IN and asker.staff_id == staff_id:
        return True
    if asker.role == OFFICE_HEAD and asker.office:
        return home_office(source, staff_id) == asker.office
    return False


def require_person(source: Path | str | Settings, asker: Asker, staff_id: str | None) -> None:
    """Raise `NotInScope` unless the asker may read this person's data."""
    if not may_read(source, asker, staff_id):
        raise NotInScope(asker, staff_id)


def office_filter(asker: Asker, requested: str | None = None) -> str | None:
    """The office a list of people is restricted to (None: everyone).

    An office head always gets their own office, whatever was requested; hr, leader and admin
    get the office they asked for; staff and the public list nobody (`NotInScope`).
    """
    if asker.role == OFFICE_HEAD:
        return asker.office or NO_OFFICE
    if asker.role in EVERYONE:
        return requested or None
    raise NotInScope(asker)


def person_query(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Make `fn(path, staff_id, *args)` a scoped query `(source, asker, staff_id, *args)`.

    The asker's scope is checked before `fn` runs; the result is memoized per warehouse file
    and person (not per asker), so people allowed to see the same person share it, in the
    process's recent results only (`warehouse_query(shared=False)`).
    """
    memoized = warehouse_query(fn, shared=False)

    @functools.wraps(fn)
    def scoped(source: Path | str | Settings, asker: Asker, staff_id: str, *args: Any) -> Any:
        require_person(source, asker, staff_id)
        return memoized(source, staff_id, *args)

    del scoped.__wrapped__  # type: ignore[attr-defined]  # no unscoped way in
    return scoped
