"""A roster whose names hold a formula, a script and a markdown link: the pages carry them as
text, and every file the app's download callbacks deliver over HTTP holds them inert."""

from __future__ import annotations

import csv
import io
import re
import shutil

import dash
import duckdb
import openpyxl
import pytest

from dashboard.app import create_app
from dashboard.auth import PAGE_ROLES
from tests.security.dash_http import (
    PASSWORD,
    Values,
    call,
    client_as,
    downloads,
    file_bytes,
    file_strings,
    page_of,
    render,
    server_callbacks,
)
from townperf import users
from townperf.settings import get_settings

SCRIPT_NAME = "<script>window.__pwned=1</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
LINK_NAME = "点我](https://evil.example/x)[跳转"
# What a spreadsheet would read as the start of a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Whom each download is asked as: the first of these its page allows.
ASK_AS = ("staff", "hr", "leader", "admin", "public")


@pytest.fixture(scope="module")
def hostile(built_home, tmp_path_factory):
    """A copy of the built home whose roster names were replaced by hostile text, the app on
    it, and the accounts that ask (the staff account is the person with the formula name)."""
    home = tmp_path_factory.mktemp("hostile")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    (period,) = con.execute(
        "select max(period_start) from marts.fct_person_scores "
        "where period_type = 'quarter' and is_complete_period"
    ).fetchone()
    people = [
        row[0]
        for row in con.execute(
            "select staff_id from marts.fct_person_scores where period_type = 'quarter' "
            "and period_start = ? and role_category = '审批' and not insufficient_data "
            "order by rank_in_category, staff_id limit 3",
            [period],
        ).fetchall()
    ]
    names = dict(zip(people, (SCRIPT_NAME, FORMULA_NAME, LINK_NAME), strict=True))
    for sid, name in names.items():
        con.execute("update marts.dim_staff set name = ? where staff_id = ?", [name, sid])
    con.close()
    assert len(names) == 3, "three different people carry the three hostile names"
    formula_person = people[1]
    users.add_user(home, "sec-staff", PASSWORD, "staff", staff_id=formula_person)
    for role in ("hr", "leader", "admin"):
        users.add_user(home, f"sec-{role}", PASSWORD, role)
    app = create_app(get_settings(home))
    app.server.test_client().get("/")
    return {
        "app": app,
        "people": people,
        "formula_person": formula_person,
        "period": f"quarter|{period.isoformat()}",
    }


def _walk(node, strings: list[str]) -> None:
    """Collect the strings of a Dash answer; fail on any script component."""
    if isinstance(node, dict):
        assert node.get("type") != "Script" and node.get("namespace") != "script", node
        for value in node.values():
            _walk(value, strings)
    elif isinstance(node, list):
        for value in node:
            _walk(value, strings)
    elif isinstance(node, str):
        strings.append(node)


def test_hostile_names_travel_as_text_in_pages(hostile):
    """Dash sends layouts as JSON props that React renders as text: the names arrive as string
    values, never as elements; in the rankings' markdown cells they open no link of their own."""
    app, (script_person, _, link_person) = hostile["app"], hostile["people"]
    hr = client_as(app, "hr")
    strings: list[str] = []
    _walk(render(hr, app, "/people", f"?staff_id={script_person}").get_json(), strings)
    assert any(SCRIPT_NAME in text for text in strings), "the name is shown, as a plain string"

    values = Values()
    values.learn(render(hr, app, "/rankings").get_json())
    asked = {
        ("rankings-category", "value"): "审批",
        ("rankings-period", "value"): hostile["period"],
    }
    key = next(k for k in server_callbacks(app) if "rankings-table.children" in k)
    reply = call(hr, app, key, values, asked)
    assert reply.status_code == 200
    strings = []
    _walk(reply.get_json(), strings)
    cells = [s for s in strings if "跳转" in s]
    assert cells, "the link-shaped name is in the ranking"
    for cell in cells:
        # One link per cell, to the person's drill-down; the name's own "](" is escaped.
        targets = re.findall(r"(?<!\\)\]\(([^)]*)\)", cell)
        assert targets == [f"/people?staff_id={link_person}"], cell
    script_cells = [s for s in strings if "pwned" in s and "](/people" in s]
    assert script_cells, "the script-shaped name is in the ranking"
    # Markdown would pass raw HTML through; every "<" of the name is escaped.
    assert not [cell for cell in script_cells if re.search(r"(?<!\\)<", cell)]


def _inert(download: dict) -> list[str]:
    """Assert a delivered file holds no formula; return its strings."""
    raw = file_bytes(download)
    if download["filename"].endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(raw))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (download["filename"], cell.coordinate)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_START), (
                            download["filename"],
                            cell.coordinate,
                            cell.value,
                        )
    else:
        for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))):
            for field in row:
                assert not field.startswith(FORMULA_START) or _is_number(field), field
    return file_strings(download)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_download_callback_delivers_inert_files(hostile):
    """Each download callback of the app (from its callback map), posted over HTTP as a role
    its page allows: the xlsx/CSV bytes it sends hold the hostile names only as text."""
    app, formula_person = hostile["app"], hostile["formula_person"]
    keys = [k for k in server_callbacks(app) if k.endswith("-download.data")]
    assert len(keys) >= 8, keys
    asked = {
        ("rankings-category", "value"): "审批",
        ("rankings-period", "value"): hostile["period"],
        ("people-person", "value"): formula_person,
    }
    by_file: dict[str, list[str]] = {}
    for key in keys:
        page = page_of(key)
        role = next(r for r in ASK_AS if r in PAGE_ROLES[page])
        client = client_as(app, role)
        values = Values()
        for path in (p["path"] for p in dash.page_registry.values()):
            search = f"?staff_id={formula_person}" if path == "/people" else ""
            values.learn(render(client, app, path, search).get_json())
        reply = call(client, app, key, values, asked)
        assert reply.status_code == 200, (key, role)
        files = downloads(reply.get_json())
        assert len(files) == 1, (key, role, "no file delivered")
        by_file[key] = _inert(files[0])
    neutralised = "'" + FORMULA_NAME
    for key in ("people-download.data", "rankings-download.data"):
        assert neutralised in by_file[key], key
        assert FORMULA_NAME not in by_file[key], key
    assert SCRIPT_NAME in by_file["rankings-download.data"], "kept as the text it is"
    assert FORMULA_NAME not in [s for strings in by_file.values() for s in strings]
