"""Whose data each asker gets, decided in `warehouse/`: the person queries and the lists of
people, called directly on the built town, for every role, in scope and out of it."""

from __future__ import annotations

from datetime import date

import pytest

from warehouse import person_queries as pq
from warehouse.scope import Asker, NotInScope, may_read

LATEST_OFFICE = """
    select staff_id, department
    from marts.dim_staff
    qualify row_number() over (
        partition by staff_id order by valid_from desc, version_no desc
    ) = 1
"""


@pytest.fixture(scope="module")
def town(warehouse_path) -> dict:
    """A scored approval clerk, their office, an office mate, and someone of another office
    (offices as the latest roster version has them), with a quarter all three were scored in."""
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    try:
        offices = dict(con.execute(LATEST_OFFICE).fetchall())
        sid, start = con.execute(
            """
            select staff_id, max(period_start)
            from marts.fct_person_scores
            where period_type = 'quarter' and role_category = '审批' and not insufficient_data
            group by staff_id
            order by count(*) desc, staff_id
            limit 1
            """
        ).fetchone()
        scored = {
            s
            for (s,) in con.execute(
                "select staff_id from marts.fct_person_scores "
                "where period_type = 'quarter' and period_start = ?",
                [start],
            ).fetchall()
        }
    finally:
        con.close()
    office = offices[sid]
    mate = min(s for s, o in offices.items() if o == office and s != sid and s in scored)
    outsider = min(s for s, o in offices.items() if o != office and s in scored)
    return {
        "staff_id": sid,
        "office": office,
        "mate": mate,
        "outsider": outsider,
        "outsider_office": offices[outsider],
        "start": start,
        "offices": offices,
    }


def person_reads(start: date) -> dict:
    """Every read of one person's data, as `f(path, asker, staff_id)`."""
    return {
        "person_profile": lambda p, a, s: pq.person_profile(p, a, s),
        "person_scores": lambda p, a, s: pq.person_scores(p, a, s, "quarter"),
        "person_trend": lambda p, a, s: pq.person_trend(p, a, s),
        "person_indicators": lambda p, a, s: pq.person_indicators(p, a, s, "quarter", start),
        "score_steps": lambda p, a, s: pq.score_steps(p, a, s, "quarter", start),
        "indicator_records": lambda p, a, s: pq.indicator_records(p, a, s, "quarter", start),
        "person_ratings": lambda p, a, s: pq.person_ratings(p, a, s),
        "person_feedback": lambda p, a, s: pq.person_feedback(p, a, s),
        "person_results": lambda p, a, s: pq.person_results(p, a, s),
        "person_page": lambda p, a, s: pq.person_page(p, a, s)["profile"],
        "person_period": lambda p, a, s: pq.person_period(p, a, s, "quarter", start)["scores"],
    }


def askers(town: dict) -> dict[str, Asker]:
    return {
        "public": Asker("public"),
        "staff": Asker("staff", staff_id=town["staff_id"]),
        "office_head": Asker("office_head", office=town["office"]),
        "hr": Asker("hr"),
        "leader": Asker("leader"),
        "admin": Asker("admin"),
    }


def expected_scope(role: str, town: dict) -> set[str]:
    """Whom each role may read, among the clerk, their office mate and the outsider."""
    return {
        "public": set(),
        "staff": {town["staff_id"]},
        "office_head": {town["staff_id"], town["mate"]},
        "hr": {town["staff_id"], town["mate"], town["outsider"]},
        "leader": {town["staff_id"], town["mate"], town["outsider"]},
        "admin": {town["staff_id"], town["mate"], town["outsider"]},
    }[role]


@pytest.mark.parametrize("role", ["public", "staff", "office_head", "hr", "leader", "admin"])
def test_every_person_read_gives_the_person_in_scope_and_refuses_the_others(
    warehouse_path, town, role
):
    asker = askers(town)[role]
    allowed = expected_scope(role, town)
    reads = person_reads(town["start"])
    for staff_id in (town["staff_id"], town["mate"], town["outsider"]):
        assert may_read(warehouse_path, asker, staff_id) == (staff_id in allowed), staff_id
        for name, read in reads.items():
            if staff_id in allowed:
                got = read(warehouse_path, asker, staff_id)
                # the same rows HR gets: the scope check refuses or lets through, never trims
                assert got.equals(read(warehouse_path, Asker("hr"), staff_id)), (name, staff_id)
            else:
                with pytest.raises(NotInScope):
                    read(warehouse_path, asker, staff_id)
    # the clerk's own figures are really there for those who may see them
    if town["staff_id"] in allowed:
        profile = pq.person_profile(warehouse_path, asker, town["staff_id"])
        assert list(profile["staff_id"]) == [town["staff_id"]]
        assert len(pq.person_scores(warehouse_path, asker, town["staff_id"], "quarter")) > 0


def test_the_refusal_comes_before_any_read(tmp_path, town):
    """A staff member asking for someone else is refused without the warehouse being opened:
    here there is none, and the error is the refusal, not a missing file."""
    missing = tmp_path / "no-warehouse.duckdb"
    staff = Asker("staff", staff_id=town["staff_id"])
    for read in person_reads(town["start"]).values():
        with pytest.raises(NotInScope):
            read(missing, staff, town["outsider"])
        with pytest.raises(NotInScope):
            read(missing, Asker("public"), town["staff_id"])
        with pytest.raises(NotInScope, match="role 'public'"):
            read(missing, Asker("public", staff_id=town["staff_id"]), town["staff_id"])


def test_odd_accounts_read_nobody_else(warehouse_path, town):
    """An office head with no office, a staff account with no staff id, an unknown role and a
    public visitor claiming a staff id read nobody's data; everyone may not read a blank id."""
    sid = town["staff_id"]
    for asker in (
        Asker("office_head"),
        Asker("staff"),
        Asker("auditor", staff_id=sid, office=town["office"]),
        Asker("public", staff_id=sid, office=town["office"]),
    ):
        assert not may_read(warehouse_path, asker, sid), asker
        with pytest.raises(NotInScope):
            pq.person_page(warehouse_path, asker, sid)
    for asker in askers(town).values():
        assert not may_read(warehouse_path, asker, None)
        assert not may_read(warehouse_path, asker, "")
    # an office head reads themself, wherever the roster puts them
    head = Asker("office_head", staff_id=town["outsider"], office=town["office"])
    assert may_read(warehouse_path, head, town["outsider"])
    assert not may_read(warehouse_path, head, "G-on-no-roster")


def test_lists_of_people_follow_the_askers_office(warehouse_path, read_con, town):
    start = town["start"]
    # a category spread over several offices, one of them and another
    category, office, other = read_con.execute(
        """
        select role_category, min(department), max(department)
        from marts.fct_person_scores
        where period_type = 'quarter' and period_start = ?
        group by role_category
        order by count(distinct department) desc, role_category
        limit 1
        """,
        [start],
    ).fetchone()
    assert office != other
    mine = {s for s, o in town["offices"].items() if o == office}
    everyone = set(town["offices"])
    head = Asker("office_head", office=office)

    # the people directory
    assert set(pq.people_in_scope(warehouse_path, head)["staff_id"]) == mine
    assert set(pq.people_in_scope(warehouse_path, head, other)["staff_id"]) == mine
    for role in ("hr", "leader", "admin"):
        assert set(pq.people_in_scope(warehouse_path, Asker(role))["staff_id"]) == everyone
        narrowed = pq.people_in_scope(warehouse_path, Asker(role), other)
        assert set(narrowed["department"]) == {other}
    assert pq.people_in_scope(warehouse_path, Asker("office_head")).empty  # no office: nobody

    # rankings and the distribution of a category: whatever office is asked for
    for requested in (None, other):
        ranked = pq.rankings(warehouse_path, head, "quarter", start, category, requested)
        assert len(ranked) and set(ranked["department"]) == {office}, requested
        bands = pq.composite_histogram(warehouse_path, head, "quarter", start, category, requested)
        scored = ranked[~ranked["insufficient_data"].astype(bool)]
        assert int(bands["people"].sum()) == int(scored["composite_score"].notna().sum())
    whole = pq.rankings(warehouse_path, Asker("leader"), "quarter", start, category)
    assert {office, other} <= set(whole["department"])
    picked = pq.rankings(warehouse_path, Asker("hr"), "quarter", start, category, other)
    assert len(picked) and set(picked["department"]) == {other}

    # staff and the public list nobody
    for asker in (Asker("staff", staff_id=town["staff_id"]), Asker("public")):
        with pytest.raises(NotInScope):
            pq.people_in_scope(warehouse_path, asker)
        with pytest.raises(NotInScope):
            pq.rankings(warehouse_path, asker, "quarter", start, category)
        with pytest.raises(NotInScope):
            pq.composite_histogram(warehouse_path, asker, "quarter", start, category)


def test_a_page_that_forgets_its_own_check_still_shows_nobody_outside_the_scope(
    built_home, town, monkeypatch
):
    """The HR drill-down checks the person itself; with that check gone, the warehouse still
    refuses an office head someone of another office: the page shows the out-of-scope notice,
    exports nothing and writes no audit entry about them."""
    import sys

    import dash
    import flask_login

    from dashboard.app import create_app
    from dashboard.auth import _SessionUser
    from townperf import users
    from townperf.settings import get_settings

    app = create_app(get_settings(built_home))
    page = next(p for p in dash.page_registry.values() if p["path"] == "/people")
    module = sys.modules[page["module"]]
    monkeypatch.setattr(module, "_in_scope", lambda path, staff_id: True)
    period = f"quarter|{town['start'].isoformat()}"
    outsider, indicator = town["outsider"], "appr_on_time_rate"
    username = "scope-test-forgotten-check"
    with app.server.test_request_context("/"):
        head = users.User(username, "office_head", None, town["office"])
        flask_login.login_user(_SessionUser(head))
        shown = module.update_person(outsider, period)
        assert [c.id for c in shown] == ["people-out-of-scope"]
        assert module.export_person(1, outsider, period) is dash.no_update
        assert module.export_records(1, indicator, outsider, period) is dash.no_update
        assert module.update_records(indicator, outsider, period) == (
            dash.no_update,
            dash.no_update,
        )
        assert module.update_periods(outsider, "quarter") == ([], None)
        # their own office's people are still shown
        mate = module.update_person(town["mate"], period)
        assert "people-profile" in [getattr(c, "id", None) for c in mate]
    mine = [e for e in users.audit_entries(built_home, 100_000) if e["username"] == username]
    assert {e["subject"] for e in mine} == {town["mate"]}
