"""Names in markdown cells read as the text they are: a roster name holding link, image,
emphasis or HTML syntax shows literally on /rankings, and the only link in its cell is the
app's own link to the person."""

from __future__ import annotations

import shutil
import sys

import dash
import duckdb
import flask_login
import pytest
from markdown_it import MarkdownIt

from dashboard.app import create_app
from dashboard.auth import _SessionUser
from dashboard.components.formatting import markdown_link, markdown_text
from dashboard.components.person import encode_period
from tests.helpers import sign_in
from townperf.settings import get_settings
from townperf.users import User

HOSTILE = (
    "[x](http://evil.example)",
    "<img src=x onerror=alert(1)>",
    "**b**",
    "x](http://evil.example)[y",
    "![i](http://evil.example/i.png)",
    "http://evil.example",
    "<http://evil.example>",
    "_u_ `c` ~~s~~ &lt; &#60; a\\",
    "| a | b |",
)
INSUFFICIENT_NAME = "[bad](javascript:alert(1))"
# CommonMark as react-markdown parses it, with the GFM pieces the grid's remark-gfm adds
# (autolink literals are checked in the browser test).
PARSER = MarkdownIt("commonmark").enable(["strikethrough", "table"])


def parsed_link(markdown: str) -> tuple[list[str], str, list[str]]:
    """The hrefs of every link, the text shown, and the kinds of inline markup, as parsed."""
    hrefs, text, kinds = [], [], []
    for block in PARSER.parse(markdown):
        kinds.append(block.type)
        for token in block.children or []:
            kinds.append(token.type)
            if token.type == "link_open":
                hrefs.append(token.attrGet("href"))
            elif token.type in ("text", "code_inline", "html_inline"):
                text.append(token.content)
    return hrefs, "".join(text), kinds


@pytest.mark.parametrize("name", HOSTILE + (INSUFFICIENT_NAME, "张三", "Zhang San"))
def test_a_name_in_a_markdown_link_is_its_own_text(name):
    hrefs, text, kinds = parsed_link(markdown_link(name, "/people", {"staff_id": "G0001"}))
    assert hrefs == ["/people?staff_id=G0001"]
    assert text == name
    assert set(kinds) == {"paragraph_open", "inline", "paragraph_close", "link_open", "text"} | (
        {"link_close"}
    )
    # and alone (not inside a link) it is plain text too
    _, alone, kinds = parsed_link(markdown_text(name))
    assert alone == name and set(kinds) <= {"paragraph_open", "inline", "paragraph_close", "text"}


def test_the_address_of_a_link_cannot_be_broken_out_of():
    hrefs, text, _ = parsed_link(markdown_link("名", "/people", {"staff_id": "G1) [y](http://e"}))
    assert hrefs == ["/people?staff_id=G1%29+%5By%5D%28http%3A%2F%2Fe"] and text == "名"
    assert markdown_text("a\nb\r\n# c") == "a b \\# c"  # no new block from a line break


@pytest.fixture(scope="module")
def hostile(built_home, tmp_path_factory):
    """A copy of the built home in which ranked people of the default rankings view (latest
    complete quarter, first category) and one person with insufficient data carry hostile
    names."""
    home = tmp_path_factory.mktemp("markdown-hostile")
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        (quarter,) = con.execute(
            """
            select max(period_start) from (
                select period_start from marts.fct_person_scores where period_type = 'quarter'
                group by period_start having bool_and(is_complete_period)
            )
            """
        ).fetchone()
        (category,) = con.execute(
            "select role_category from seeds.role_categories limit 1"
        ).fetchone()
        ranked = [
            sid
            for (sid,) in con.execute(
                """
                select staff_id from marts.fct_person_scores
                where period_type = 'quarter' and period_start = ? and role_category = ?
                  and not insufficient_data
                order by rank_in_category
                limit ?
                """,
                [quarter, category, len(HOSTILE)],
            ).fetchall()
        ]
        insufficient = next(
            row
            for row in con.execute(
                """
                select staff_id, period_type, period_start, role_category
                from marts.fct_person_scores
                where insufficient_data and period_type = 'month'
                order by period_start desc, staff_id
                """
            ).fetchall()
            if row[0] not in ranked
        )
        names = dict(zip(ranked, HOSTILE, strict=True))
        names[insufficient[0]] = INSUFFICIENT_NAME
        for sid, name in names.items():
            con.execute("update marts.dim_staff set name = ? where staff_id = ?", [name, sid])
    finally:
        con.close()
    return {
        "home": home,
        "names": names,
        "quarter": quarter,
        "category": category,
        "insufficient": insufficient,
    }


@pytest.fixture(scope="module")
def hostile_app(hostile):
    return create_app(get_settings(hostile["home"]))


def rankings_module():
    page = next(p for p in dash.page_registry.values() if p["path"] == "/rankings")
    return sys.modules[page["module"]]


def cells(component, grid_id: str) -> dict[str, str]:
    """staff_id -> name cell of a grid somewhere in a layout tree."""
    found = {}

    def walk(node):
        if getattr(node, "id", None) == grid_id:
            found.update({r["staff_id"]: r["name_link"] for r in node.rowData})
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    for part in component if isinstance(component, list | tuple) else [component]:
        walk(part)
    return found


def test_rankings_show_hostile_names_as_text(hostile, hostile_app):
    module = rankings_module()
    names = hostile["names"]
    sid, period_type, start, category = hostile["insufficient"]
    with hostile_app.server.test_request_context("/"):
        flask_login.login_user(_SessionUser(User("markdown-hr", "hr", None, None)))
        layout = module.layout()
        _, _, _, insufficient, _ = module.update_rankings(
            encode_period(period_type, start), category, "__all__"
        )
    assert layout["rankings-period"].value == encode_period("quarter", hostile["quarter"])
    shown = cells(layout, "rankings-grid")
    shown |= cells(insufficient, "rankings-insufficient-grid")
    assert set(names) <= set(shown), "every hostile name is on the page"
    for staff_id, name in names.items():
        hrefs, text, kinds = parsed_link(shown[staff_id])
        assert hrefs == [f"/people?staff_id={staff_id}"], name
        assert text == name
        assert not {"image", "strong_open", "em_open", "html_inline", "s_open"} & set(kinds)


def test_rankings_in_the_browser_show_hostile_names_literally(dash_duo, hostile, hostile_app):
    """What AG Grid's markdown renderer (react-markdown with remark-gfm) really draws: each
    hostile name reads as typed, the cell's only link is the app's, and nothing else renders."""
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(hostile_app)
    sign_in(dash_duo, hostile["home"], "hr")
    dash_duo.driver.get(dash_duo.server_url + "/rankings")
    dash_duo.wait_for_element("#rankings-grid .ag-row", timeout=30)
    ranked = {sid: n for sid, n in hostile["names"].items() if n != INSUFFICIENT_NAME}
    # a row's cells may sit in two containers (the pinned column apart): join them by index
    script = """
        const cells = {}, ids = {};
        for (const row of document.querySelectorAll('#rankings-grid .ag-row')) {
            const index = row.getAttribute('row-index');
            const cell = row.querySelector('[col-id="name_link"]');
            const id = row.querySelector('[col-id="staff_id"]');
            if (id) ids[index] = id.innerText;
            if (cell) cells[index] = {
                text: cell.innerText,
                links: [...cell.querySelectorAll('a')].map(a => a.getAttribute('href')),
                elements: [...cell.querySelectorAll('.agGrid-Markdown *')].map(e => e.tagName),
            };
        }
        return [cells, ids];
    """
    found, ids = dash_duo.driver.execute_script(script)
    by_id = {ids[i]: found[i] for i in found if i in ids}
    assert set(ranked) <= set(by_id), "every hostile name is in the grid"
    for staff_id, name in ranked.items():
        cell = by_id[staff_id]
        assert cell["text"].strip() == name, name
        assert cell["links"] == [f"/people?staff_id={staff_id}"], name
        assert set(cell["elements"]) <= {"DIV", "A"}, (name, cell["elements"])
    every_link = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#rankings-grid a')].map(a => a.getAttribute('href'))"
    )
    assert every_link and all(h.startswith("/people?staff_id=") for h in every_link)
    assert not dash_duo.driver.execute_script("return window.__pwned || null")
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []
