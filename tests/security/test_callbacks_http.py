"""Every Dash callback, posted to `/_dash-update-component` as each role, with the inputs the
role's own pages hold: refused (401/403) where the role may not use the page, an answer where it
may, and in that answer nobody the role may not see.

The callbacks come from the app's callback map, so a new callback is called here as soon as it
exists; one that answers nothing to a role allowed to use it fails until it is given an input
here (`clicks`) or listed in `EMPTY_BY_DESIGN` with the reason.
"""

from __future__ import annotations

import itertools

import dash
import pytest

from dashboard.auth import PAGE_ROLES
from tests.security.conftest import fetch
from tests.security.dash_http import (
    ROLES,
    Values,
    call,
    client_as,
    downloads,
    file_strings,
    mentions,
    page_of,
    render,
    server_callbacks,
    strings_in,
)

# Answers that are empty for a reason, not for want of input.
EMPTY_BY_DESIGN = {
    # A town's directory is sent whole with the page; the server search starts past 500 people.
    "people-person.options",
}
# Roles whose test account has no staff id: their 我的考核 has nothing to export.
NO_OWN_RECORD = {"office_head", "hr", "leader"}


def browse(app: dash.Dash, client, person: str) -> Values:
    """What a browser of this client holds after opening every page (the drill-down on `person`)."""
    values = Values()
    for page in dash.page_registry.values():
        search = f"?staff_id={person}" if page["path"] == "/people" else ""
        reply = render(client, app, page["path"], search)
        assert reply.status_code == 200, page["path"]
        values.learn(reply.get_json())
    return values


def clicks(values: Values, person: str) -> dict[tuple[str, str], object]:
    """Inputs a person would produce by clicking or typing, which no layout holds."""
    return {
        ("people-indicator-grid", "cellClicked"): {
            "rowId": values.props.get(("people-indicator", "value")),
            "colId": "name",
        },
        ("people-person", "search_value"): person,
    }


def _visible(roster, ids: set[str]) -> set[str]:
    """The names of `ids`, and every roster name that is part of one of them (a name found
    inside a visible name is not a leak)."""
    names = roster.names_of(ids)
    return {n for n in roster.names if any(n in shown for shown in names)}


@pytest.mark.parametrize("role", ROLES)
def test_every_callback_answers_each_role_as_its_page_allows(app, accounts, roster, role):
    client = client_as(app, role)
    values = browse(app, client, roster.member)
    keys = [key for key in server_callbacks(app) if page_of(key) != "_shell"]
    assert len(keys) >= 25, "the callback map holds every page's callbacks"
    allowed_ids = {
        "staff": {roster.member},
        "office_head": set(roster.office_ids),
        "public": set(),
    }.get(role)
    refused = answered = 0
    for key in keys:
        page = page_of(key)
        reply = call(client, app, key, values, clicks(values, roster.member))
        if role not in PAGE_ROLES.get(page, frozenset()):
            assert reply.status_code == (401 if role == "public" else 403), (role, key)
            assert not mentions(strings_in(reply), roster.ids | roster.names), (role, key)
            refused += 1
            continue
        assert reply.status_code == 200, (role, key, reply.get_data(as_text=True)[:300])
        answer = reply.get_json()
        values.learn_answer(answer)
        empty_ok = key in EMPTY_BY_DESIGN or (key == "me-download.data" and role in NO_OWN_RECORD)
        if not empty_ok:
            assert answer.get("response"), (role, key, "answered nothing")
        answered += 1
        if allowed_ids is not None:
            strings = strings_in(reply)
            assert mentions(strings, roster.ids) <= allowed_ids, (role, key)
            assert mentions(strings, roster.names) <= _visible(roster, allowed_ids), (role, key)
    # Every role may use something; every role but leader (whose one refused page, /admin, has
    # no callbacks) is refused something.
    assert answered > 0, role
    if role != "leader":
        assert refused > 0, role


def _outsider(roster, warehouse_path) -> str:
    """A current person of another office who has figures (so a refusal is the scope's doing)."""
    (sid,) = fetch(
        warehouse_path,
        "select s.staff_id from marts.dim_staff s "
        "where s.is_current and s.department <> ? and s.staff_id in "
        "(select staff_id from marts.fct_person_scores where not insufficient_data) "
        "and s.staff_id not in (select staff_id from marts.dim_staff where department = ?) "
        "order by s.staff_id limit 1",
        [roster.office, roster.office],
    )[0]
    return sid


PERSON_CALLBACKS = (
    "people-content.children",
    "..people-period.options...people-period.value..",
    "..people-records.children...people-indicator-grid.selectedRows..",
    "people-download.data",
    "people-records-download.data",
)


def _ask_about(app, client, values, person):
    """The person callbacks of the drill-down, asked about `person` whatever the page held."""
    found = {}
    for key in PERSON_CALLBACKS:
        reply = call(client, app, key, values, {("people-person", "value"): person})
        assert reply.status_code == 200, key
        found[key] = reply
    return found


def test_an_office_head_gets_their_office_and_nobody_else_over_http(
    app, accounts, roster, warehouse_path
):
    outsider = _outsider(roster, warehouse_path)
    outsider_name = roster.name_of[outsider]
    head = client_as(app, "office_head")
    values = browse(app, head, roster.member)

    # Someone of their office: the figures, a file, the records behind an indicator.
    inside = _ask_about(app, head, values, roster.member)
    assert roster.name_of[roster.member] in strings_in(inside["people-content.children"]) or (
        mentions(strings_in(inside["people-content.children"]), {roster.member})
    )
    files = downloads(inside["people-download.data"].get_json())
    assert files and roster.member in mentions(file_strings(files[0]), {roster.member})

    # Someone of another office, asked for directly: refused, and nothing of theirs sent.
    page = strings_in(render(head, app, "/people", f"?staff_id={outsider}"))
    assert "people-out-of-scope" in page
    assert not mentions(page, {outsider, outsider_name})
    outside = _ask_about(app, head, values, outsider)
    assert "people-out-of-scope" in strings_in(outside["people-content.children"])
    for key, reply in outside.items():
        assert not mentions(strings_in(reply), {outsider, outsider_name}), key
        assert not downloads(reply.get_json()), key
    periods = outside["..people-period.options...people-period.value.."].get_json()
    assert periods["response"]["people-period"]["options"] == []

    # The same questions from hr do get the outsider: the refusal is the office scope's.
    hr = client_as(app, "hr")
    answers = _ask_about(app, hr, browse(app, hr, outsider), outsider)
    assert mentions(strings_in(answers["people-content.children"]), {outsider})
    assert downloads(answers["people-download.data"].get_json())

    # Rankings of every category for "every office" still hold only the head's office.
    ranking_keys = [k for k in server_callbacks(app) if page_of(k) == "rankings"]
    categories = [o["value"] for o in values.props[("rankings-category", "options")]]
    shown = set()
    for key, category in itertools.product(ranking_keys, categories):
        asked = {("rankings-office", "value"): "__all__", ("rankings-category", "value"): category}
        reply = call(head, app, key, values, asked)
        assert reply.status_code == 200, key
        strings = strings_in(reply)
        ids = mentions(strings, roster.ids)
        assert ids <= roster.office_ids, (key, ids - roster.office_ids)
        names = mentions(strings, roster.names)
        assert names <= _visible(roster, roster.office_ids), key
        shown |= names
    assert shown, "the office head's rankings list their office's people"


def test_a_staff_member_gets_only_their_own_figures_over_http(
    app, accounts, roster, warehouse_path
):
    other = _outsider(roster, warehouse_path)
    staff = client_as(app, "staff")
    # Another person's id in the URL of 我的考核 changes nothing: the person is the session's.
    page = render(staff, app, "/me", f"?staff_id={other}")
    values = Values()
    values.learn(page.get_json())
    own = {roster.member}
    answers = [page] + [
        call(staff, app, key, values) for key in server_callbacks(app) if page_of(key) == "me"
    ]
    for reply in answers:
        assert reply.status_code == 200
        strings = strings_in(reply)
        assert mentions(strings, roster.ids) <= own
        assert mentions(strings, roster.names) <= _visible(roster, own)
    assert mentions(strings_in(page), roster.ids) == own, "the page is about them"
    assert [d for reply in answers for d in downloads(reply.get_json())], "their report is sent"

    # The drill-down and the rankings, which would take another staff id, are refused whole.
    for key in server_callbacks(app):
        if page_of(key) not in ("people", "rankings"):
            continue
        reply = call(staff, app, key, values, {("people-person", "value"): other})
        assert reply.status_code == 403, key
        assert not mentions(strings_in(reply), {other, roster.name_of[other]}), key
