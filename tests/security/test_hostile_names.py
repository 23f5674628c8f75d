"""A roster whose names hold a formula and a script: pages show them as text, exports as text."""

from __future__ import annotations

import io
import shutil

import duckdb
import openpyxl
import pytest

from dashboard.app import create_app
from dashboard.components.export import to_xlsx_bytes
from tests.helpers import sign_in
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
            "order by rank_in_category limit 2"
        ).fetchall()
    ]
    con.execute("update marts.dim_staff set name = ? where staff_id = ?", [SCRIPT_NAME, first])
    con.execute("update marts.dim_staff set name = ? where staff_id = ?", [FORMULA_NAME, second])
    con.close()
    return home, first, second


def test_script_name_is_shown_as_text_not_run(dash_duo, hostile_home):
    home, first, _ = hostile_home
    app = create_app(get_settings(home))
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(app)
    sign_in(dash_duo, home, "hr")
    dash_duo.driver.get(f"{dash_duo.server_url}/people?staff_id={first}")
    dash_duo.wait_for_text_to_equal("h1.page-title", "人事考核明细", timeout=30)
    dash_duo.wait_for_element("#people-profile", timeout=30)
    html = dash_duo.driver.execute_script("return document.body.innerHTML")
    # rendered as text: the markup arrives escaped, never as an element
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert dash_duo.driver.execute_script("return window.__pwned === undefined")
    injected = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('script')]"
        ".filter(s => s.textContent.includes('__pwned')).length"
    )
    assert injected == 0


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
