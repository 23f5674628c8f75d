"""Everything an anonymous visitor can get holds no staff name and no staff id: the public pages
(公开信息, 考核办法) and every callback of theirs, the files they deliver, the login page, the
app shell. Answers are decoded before the search (JSON escapes, base64 files): see dash_http."""

from __future__ import annotations

import dash
import pytest

from dashboard.app import page_key
from dashboard.auth import PAGE_ROLES, PUBLIC
from tests.security.dash_http import (
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


def _public_pages() -> list[dict]:
    return [p for p in dash.page_registry.values() if PUBLIC in PAGE_ROLES[page_key(p)]]


def public_answers(app) -> list:
    """Every response an anonymous visitor can get from the public pages, each public callback
    asked with every value its page offers for the page's first filter."""
    client = app.server.test_client()
    replies = [client.get(path) for path in ("/login", "/_dash-layout", "/_dash-dependencies")]
    replies += [client.get(page["path"]) for page in _public_pages()]
    values = Values()
    for page in _public_pages():
        reply = render(client, app, page["path"])
        values.learn(reply.get_json())
        replies.append(reply)
    keys = [k for k in server_callbacks(app) if PUBLIC in PAGE_ROLES.get(page_of(k), ())]
    for key in keys:
        spec = app.callback_map[key]
        first = spec["inputs"][0]
        options = values.props.get((first["id"], "options")) or []
        choices = [o["value"] if isinstance(o, dict) else o for o in options] or [None]
        for choice in choices:
            asked = {} if choice is None else {(first["id"], first["property"]): choice}
            replies.append(call(client, app, key, values, asked))
    for reply in replies:
        assert reply.status_code == 200, (reply.request.path, reply.status_code)
    return replies


@pytest.fixture(scope="module")
def answers(app, accounts):
    return public_answers(app)


def test_public_pages_send_their_callbacks_and_files(app, answers):
    """The search below covers something: both public pages, their filters, their files."""
    keys = {page_of(k) for k in server_callbacks(app) if PUBLIC in PAGE_ROLES.get(page_of(k), ())}
    assert {"public", "methodology"} <= keys
    files = [d for reply in answers for d in downloads(reply.get_json(silent=True))]
    names = {d["filename"].rsplit(".", 1)[1] for d in files}
    assert {"csv", "xlsx"} <= names, "the public CSV and the methodology workbook were fetched"
    assert all(file_strings(d) for d in files), "the files were read"


def test_no_public_response_names_anyone(answers, roster):
    for reply in answers:
        strings = strings_in(reply)
        assert not mentions(strings, roster.ids), reply.request.path
        assert not mentions(strings, roster.names), reply.request.path


def test_the_search_finds_a_name_where_one_is_sent(app, accounts, roster):
    """The same search, on answers that do hold a person (hr's drill-down and its export),
    finds their Chinese name, which the raw JSON text only carries escaped."""
    person = roster.member
    name = roster.name_of[person]
    hr = client_as(app, "hr")
    page = render(hr, app, "/people", f"?staff_id={person}")
    assert name not in page.get_data(as_text=True), "Dash escapes non-ASCII in its JSON"
    assert mentions(strings_in(page), {name, person}) == {name, person}
    values = Values()
    values.learn(page.get_json())
    export = call(hr, app, "people-download.data", values)
    (report,) = downloads(export.get_json())
    assert name in mentions(file_strings(report), {name}), "the search looks inside files"
