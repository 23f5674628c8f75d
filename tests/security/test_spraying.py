"""Password spraying: one address trying a likely password on many names, each name only once,
so the per-name limit never trips. The per-address limit does, for that address alone."""

from __future__ import annotations

from dashboard.auth import LOGIN_MAX_FAILURES, LOGIN_MAX_FAILURES_PER_ADDRESS
from tests.security.dash_http import PASSWORD
from townperf import users

# Documentation addresses (RFC 5737): no other test signs in from them.
SPRAYER = "203.0.113.7"
NEIGHBOUR = "203.0.113.8"


def attempt(app, address: str, username: str, password: str) -> int:
    client = app.server.test_client()
    reply = client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return reply.status_code


def test_many_names_from_one_address_are_throttled_and_no_other_address(app, accounts, built_home):
    limit = LOGIN_MAX_FAILURES_PER_ADDRESS
    assert limit > LOGIN_MAX_FAILURES, "spraying is what the per-name limit misses"
    # Real account names among made-up ones, each tried once with a likely password.
    names = ["sec-leader", "sec-hr"] + [f"spray-{i:02d}" for i in range(limit + 5)]
    codes = [attempt(app, SPRAYER, name, "Password123!") for name in names[: limit - 1]]
    assert codes == [401] * (limit - 1)

    # Signing in to a real account from there does not wipe the address's failures (only
    # that name's own, and this one was not sprayed).
    assert attempt(app, SPRAYER, "sec-admin", PASSWORD) == 302
    assert attempt(app, SPRAYER, names[limit - 1], "Password123!") == 401  # the limit-th
    later = [attempt(app, SPRAYER, name, "Password123!") for name in names[limit:]]
    assert later == [429] * len(later), "every further name is refused, untried"
    # Refused for the window, whatever the name and even with the right password.
    assert attempt(app, SPRAYER, "sec-leader", PASSWORD) == 429

    # Another address is not affected: its wrong passwords are wrong, its right ones work.
    assert attempt(app, NEIGHBOUR, "spray-00", "Password123!") == 401
    assert attempt(app, NEIGHBOUR, "sec-leader", PASSWORD) == 302

    throttled = [e for e in users.audit_entries(built_home) if e["action"] == "login_throttled"]
    by_address = [e for e in throttled if e["detail"] == "per address"]
    assert len(by_address) == len(later) + 1
    assert {e["username"] for e in by_address} == {*names[limit:], "sec-leader"}


def test_one_name_from_one_address_is_still_throttled_first(app, accounts):
    """The per-name limit still trips long before the per-address one."""
    codes = [attempt(app, "203.0.113.9", "sec-office_head", f"wrong-{i}") for i in range(7)]
    assert codes == [401] * LOGIN_MAX_FAILURES + [429] * (7 - LOGIN_MAX_FAILURES)
    assert attempt(app, "203.0.113.10", "sec-office_head", PASSWORD) == 302
