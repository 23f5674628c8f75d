"""Demo accounts for `make demo`: one per role, tied to real people of the generated town."""

from __future__ import annotations

from pathlib import Path

from townperf import users
from warehouse.queries import demo_people

DEMO_PASSWORD = "townperf-demo"


def create_demo_users(home: Path) -> list[tuple[users.User, str]]:
    """One account per role; staff and office head accounts point at people on the roster."""
    staff_id, office = demo_people(Path(home) / "warehouse.duckdb")
    created = [
        users.add_user(home, "leader", DEMO_PASSWORD, "leader"),
        users.add_user(home, "hr", DEMO_PASSWORD, "hr"),
        users.add_user(home, "admin", DEMO_PASSWORD, "admin"),
        users.add_user(home, "head", DEMO_PASSWORD, "office_head", office=office),
        users.add_user(home, "staff", DEMO_PASSWORD, "staff", staff_id=staff_id),
    ]
    return [(user, DEMO_PASSWORD) for user in created]
