"""Kept callback answers: a repeat is answered from the cache, but only to a request that passed
the same access check, only for the same person's scope, with its audit entry written again,
and never after the warehouse changed."""

from __future__ import annotations

import os
import shutil

import pytest

from dashboard.app import create_app
from dashboard.response_cache import HEADER
from tests.helpers import render_page
from townperf import users
from townperf.settings import get_settings
from warehouse.store import connect_read

PASSWORD = "cache-test-pw"


@pytest.fixture()
def home(built_home, tmp_path):
    """A private copy of the built home: this test swaps its warehouse."""
    shutil.copy(built_home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    return tmp_path


@pytest.fixture()
def app(home):
    application = create_app(get_settings(home))
    application.server.test_client().get("/")
    return application


def _people(home, n):
    con = connect_read(home / "warehouse.duckdb")
    try:
        return [
            row[0]
            for row in con.execute(
                "select staff_id from marts.dim_staff where is_current order by staff_id limit ?",
                [n],
            ).fetchall()
        ]
    finally:
        con.close()


def _client(app, home, role, **scope):
    name = f"cache-{role}-{scope.get('staff_id', '')}"
    users.add_user(home, name, PASSWORD, role, **scope)
    client = app.server.test_client()
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
    return client, name


def test_a_repeat_is_answered_from_the_cache_until_the_warehouse_changes(app, home):
    leader, _ = _client(app, home, "leader")
    first = render_page(app, leader, "/rankings")
    second = render_page(app, leader, "/rankings")
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers[HEADER], second.headers[HEADER]) == ("miss", "hit")
    assert second.get_data() == first.get_data()

    # a refresh swaps a new file in: the next answer is built from it
    swapped = home / "warehouse.duckdb.next"
    shutil.copy(home / "warehouse.duckdb", swapped)
    os.replace(swapped, home / "warehouse.duckdb")
    assert render_page(app, leader, "/rankings").headers[HEADER] == "miss"


def test_the_access_check_comes_before_the_cache(app, home):
    leader, _ = _client(app, home, "leader")
    kept = render_page(app, leader, "/rankings")
    assert kept.status_code == 200 and b"rankings-" in kept.get_data()
    staff, _ = _client(app, home, "staff", staff_id=_people(home, 1)[0])
    for client in (app.server.test_client(), staff):
        refused = render_page(app, client, "/rankings").get_data()
        assert b"auth-refusal" in refused
        assert refused != kept.get_data() and b"rankings-" not in refused


def test_each_person_gets_their_own_answer(app, home):
    first, second = _people(home, 2)
    one, _ = _client(app, home, "staff", staff_id=first)
    other, _ = _client(app, home, "staff", staff_id=second)
    mine = render_page(app, one, "/me")
    theirs = render_page(app, other, "/me")
    assert mine.headers[HEADER] == theirs.headers[HEADER] == "miss"
    assert first.encode() in mine.get_data() and second.encode() not in mine.get_data()
    assert second.encode() in theirs.get_data() and first.encode() not in theirs.get_data()


def test_a_cached_view_of_a_person_is_still_audited(app, home):
    person = _people(home, 1)[0]
    hr, name = _client(app, home, "hr")
    for _ in range(3):
        assert render_page(app, hr, "/people", f"?staff_id={person}").status_code == 200
    views = [
        e
        for e in users.audit_entries(home)
        if e["username"] == name and e["action"] == "view_person" and e["subject"] == person
    ]
    assert len(views) == 3


def test_pages_that_change_state_are_never_kept(app, home):
    admin, _ = _client(app, home, "admin")
    for _ in range(2):
        assert HEADER not in render_page(app, admin, "/admin").headers
