"""A roster whose names hold a formula and a script: pages show them as text, exports as text."""

from __future__ import annotations

import io
import shutil

import duckdb
import openpyxl
import pytest

from dashboard.app import create_app
from dashboard.components.export import to_xlsx_bytes
from tests.helpers import render_page
from townperf import users
from townperf.settings import get_settings
from warehouse import person_queries

SCRIPT_NAME = "<script>window.__pwned=1</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture(scope="module")
def hostile_home(built_home, tmp_path_factory):
    """A copy of the built home whose roster names were replaced by hostile text."""
    home = tmp_path_factory.mktemp("hostile")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    (first, second) = [
        row[0]
        for row in con.execute(
            "select staff_id from marts.fct_person_scores where period_type = 'year' "
            "and role_category = '审批' and not insufficient_data "
            "group by staff_id order by min(rank_in_category), staff_id limit 2"
        ).fetchall()
    ]
    con.execute("update marts.dim_staff set name = ? where staff_id = ?", [SCRIPT_NAME, first])
    con.execute("update marts.dim_staff set name = ? where staff_id = ?", [FORMULA_NAME, second])
    con.close()
    assert first != second, "two different people carry the two hostile names"
    return home, first, second


def test_script_name_travels_as_text_not_markup(hostile_home):
    """Dash sends layouts as JSON props that React renders as text: the name arrives as a
    string value, never as an element of the page."""
    home, first, _ = hostile_home
    app = create_app(get_settings(home))
    client = app.server.test_client()
    client.get("/")
    users.add_user(home, "hostile-hr", "hostile-pass-1", "hr")
    assert (
        client.post(
            "/login", data={"username": "hostile-hr", "password": "hostile-pass-1"}
        ).status_code
        == 302
    )
    reply = render_page(app, client, "/people", f"?staff_id={first}")
    assert reply.status_code == 200
    strings = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Script" or node.get("namespace") == "script":
                raise AssertionError("a script component was rendered")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            strings.append(node)

    walk(reply.get_json())
    assert any(SCRIPT_NAME in text for text in strings), "the name is shown, as a plain string"


def test_person_report_export_keeps_formula_names_inert(hostile_home):
    home, _, second = hostile_home
    app = create_app(get_settings(home))
    with app.server.test_request_context("/"):
        people = person_queries.people_directory(home / "warehouse.duckdb")
    frame = people[people.staff_id == second]
    assert FORMULA_NAME in frame.to_string()
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"people": frame}))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'" + FORMULA_NAME in values
    assert FORMULA_NAME not in values
