"""Rankings, HR drill-down and self view without a browser: they build in both languages for
the roles allowed and refuse the others, office heads see their office only, the self view
names nobody else and its arithmetic reproduces the mart, and the server refuses callbacks."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from datetime import date

import dash
import dash_ag_grid as dag
import openpyxl
import plotly
import pytest
from dash.development.base_component import Component

from dashboard.auth import PAGE_ROLES
from dashboard.components.person import encode_period
from tests.dashboard.conftest import page_module, stored_tables
from townperf import users
from warehouse import person_queries as pq
from warehouse.scope import Asker

PATHS = {"rankings": "/rankings", "people": "/people", "me": "/me"}
TITLES = {
    "rankings": ("排名", "Rankings"),
    "people": ("人事考核明细", "HR drill-down"),
    "me": ("我的考核", "My assessment"),
}
ROLES = ("public", "staff", "office_head", "hr", "leader", "admin")
LABEL_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")
STAFF_ID = re.compile(r"G\d{4}")
PASSWORD = "people-pages-pw"


@pytest.fixture(scope="module")
def pages(dashboard_app):
    return {key: page_module(path) for key, path in PATHS.items()}


@pytest.fixture(scope="module")
def person(warehouse_path) -> dict:
    """A current approval clerk scored in the most quarters, with their office."""
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    try:
        sid, office, name = con.execute(
            """
            select s.staff_id, any_value(d.department), any_value(d.name)
            from marts.fct_person_scores as s
            inner join marts.dim_staff as d on d.staff_id = s.staff_id and d.is_current
            where s.period_type = 'quarter' and s.role_category = '审批'
              and not s.insufficient_data
            group by s.staff_id
            order by count(*) desc, s.staff_id
            limit 1
            """
        ).fetchone()
        roster = con.execute("select distinct staff_id, name from marts.dim_staff").fetchall()
    finally:
        con.close()
    return {"staff_id": sid, "office": office, "name": name, "roster": roster}


def account(role: str, person: dict) -> dict:
    """The staff id / office of a test account of that role."""
    if role == "staff":
        return {"staff_id": person["staff_id"]}
    if role == "office_head":
        return {"office": person["office"]}
    return {}


def walk(component):
    yield component
    if isinstance(component, Component):
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None:
                yield from walk(child)


def grids(layout, tabbed: bool = False) -> list[dag.AgGrid]:
    """The grids of a layout; with `tabbed`, the tables behind its 数据表 tabs too."""
    found = [*walk(layout), *(stored_tables(layout) if tabbed else [])]
    return [c for c in found if isinstance(c, dag.AgGrid)]


def as_json(layout) -> str:
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def build(pages, in_request, key, lang="zh", role="hr", person=None, **query):
    extra = account(role, person) if person else {}
    with in_request(lang, role, **extra):
        return pages[key].layout(**query)


# -- layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("key", list(PATHS))
def test_pages_build_in_both_languages_for_every_allowed_role(
    pages, in_request, texts, person, key, lang
):
    for role in sorted(PAGE_ROLES[key]):
        query = {"staff_id": person["staff_id"]} if key == "people" else {}
        layout = build(pages, in_request, key, lang, role, person, **query)
        shown = texts(layout)
        assert TITLES[key][0 if lang == "zh" else 1] in shown, (key, role)
        assert "auth-refusal" not in as_json(layout), (key, role)
        assert not [s for s in shown if LABEL_KEY.match(s)], (key, role, "a label is missing")
        for grid in grids(layout, tabbed=True):
            headers = [col["headerName"] for col in grid.columnDefs]
            assert all(headers) and not [h for h in headers if LABEL_KEY.match(h)], grid.id
        if key == "me" and role != "staff":
            assert layout["me-no-record"].children  # no staff id linked: a note, no figures


@pytest.mark.parametrize("key", list(PATHS))
def test_other_roles_are_refused(pages, in_request, person, key):
    for role in set(ROLES) - PAGE_ROLES[key]:
        layout = build(pages, in_request, key, "zh", role, person, staff_id=person["staff_id"])
        assert layout.id == "auth-refusal", (key, role)
        assert person["name"] not in as_json(layout)


# -- rankings ---------------------------------------------------------------------------------


def latest_complete(read_con, period_type="quarter") -> date:
    return read_con.execute(
        """
        select max(period_start) from (
            select period_start from marts.fct_person_scores
            where period_type = ?
            group by period_start having bool_and(is_complete_period)
        )
        """,
        [period_type],
    ).fetchone()[0]


def test_rankings_default_to_the_latest_complete_quarter(pages, in_request, read_con):
    period = latest_complete(read_con)
    layout = build(pages, in_request, "rankings")
    assert layout["rankings-period"].value == encode_period("quarter", period)
    expected = read_con.execute(
        """
        select staff_id from marts.fct_person_scores
        where period_type = 'quarter' and period_start = ? and role_category = '审批'
          and not insufficient_data
        order by rank_in_category, staff_id
        """,
        [period],
    ).fetchall()
    rows = layout["rankings-grid"].rowData
    assert [r["staff_id"] for r in rows] == [sid for (sid,) in expected]
    assert [r["rank_in_category"] for r in rows] == sorted(r["rank_in_category"] for r in rows)


def test_office_heads_see_only_their_office(pages, in_request, read_con, person):
    office = person["office"]
    period = encode_period("quarter", latest_complete(read_con))
    layout = build(pages, in_request, "rankings", role="office_head", person=person)
    assert layout["rankings-office"].disabled
    rows = layout["rankings-grid"].rowData
    assert rows and {r["department"] for r in rows} == {office}
    others = [
        d
        for (d,) in read_con.execute(
            "select distinct department from marts.fct_person_scores where department != ?",
            [office],
        ).fetchall()
    ]
    module = pages["rankings"]
    for category in ("审批", "服务", "综合管理"):
        # whatever office the browser asks for, the query is restricted to the head's own
        with in_request("zh", "office_head", office=office):
            _, _, table, insufficient, _ = module.update_rankings(period, category, others[0])
        shown = {r["staff_id"] for grid in grids(table) + grids(insufficient) for r in grid.rowData}
        in_office = {
            sid
            for (sid,) in read_con.execute(
                """
                select staff_id from marts.fct_person_scores
                where period_type = 'quarter' and period_start = ? and role_category = ?
                  and department = ?
                """,
                [latest_complete(read_con), category, office],
            ).fetchall()
        }
        assert shown == in_office, category
    # HR may pick any office
    with in_request("zh", "hr"):
        _, _, table, _, _ = module.update_rankings(period, "审批", office)
    assert {r["department"] for r in grids(table)[0].rowData} == {office}


def test_insufficient_data_people_are_listed_apart_and_never_ranked(pages, in_request, read_con):
    period_type, start, category = read_con.execute(
        """
        select period_type, period_start, role_category from marts.fct_person_scores
        where insufficient_data and period_type = 'month'
        group by all order by count(*) desc, period_start desc limit 1
        """
    ).fetchone()
    expected = {
        sid
        for (sid,) in read_con.execute(
            """
            select staff_id from marts.fct_person_scores
            where period_type = ? and period_start = ? and role_category = ? and insufficient_data
            """,
            [period_type, start, category],
        ).fetchall()
    }
    with in_request("zh", "hr"):
        summary, _, table, insufficient, _ = pages["rankings"].update_rankings(
            encode_period(period_type, start), category, "__all__"
        )
    ranked = {r["staff_id"] for r in grids(table)[0].rowData}
    listed = {r["staff_id"] for r in grids(insufficient)[0].rowData}
    assert listed == expected and not ranked & expected
    columns = [c["field"] for c in grids(insufficient)[0].columnDefs]
    assert "rank_in_category" not in columns and "movement" not in columns
    assert summary["rankings-stat-insufficient-value"].children == str(len(expected))


def test_ranking_export_opens_and_is_audited(pages, in_request, read_con, built_home):
    period = encode_period("quarter", latest_complete(read_con))
    with in_request("zh", "hr"):
        sent = pages["rankings"].export_rankings(1, period, "审批", "__all__")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert book.sheetnames == ["排名", "数据不足", "得分分布"]
    assert any(e["action"] == "export_rankings" for e in users.audit_entries(built_home))


def test_a_long_directory_is_searched_on_the_server_within_the_askers_scope(
    pages, in_request, person, monkeypatch
):
    """Past DIRECTORY_INLINE people (a county has thousands) the picker is sent holding only
    the person shown, and what is typed is looked up on the server, scope applied there."""
    module = pages["people"]
    monkeypatch.setattr(module, "DIRECTORY_INLINE", 10)
    layout = build(
        pages, in_request, "people", role="hr", person=person, staff_id=person["staff_id"]
    )
    assert [o["value"] for o in layout["people-person"].options] == [person["staff_id"]]
    name = person["name"]
    with in_request("zh", "hr"):
        found = module.search_people(name[:2], person["staff_id"])
        by_office = module.search_people(person["office"], None)
    assert person["staff_id"] in {o["value"] for o in found}
    assert all(name[:2] in o["label"] for o in found if o["value"] != person["staff_id"])
    assert 10 < len(by_office) <= module.SEARCH_MATCHES
    assert all(person["office"] in o["label"] for o in by_office)
    with in_request("zh", "office_head", office=person["office"]):
        own = module.search_people("G", None)
    assert own and all(person["office"] in o["label"] for o in own)
    with in_request("zh", "hr"):
        monkeypatch.setattr(module, "DIRECTORY_INLINE", 10_000)
        assert module.search_people(name[:2], None) is dash.no_update  # a town's list is whole


# -- HR drill-down ----------------------------------------------------------------------------


def test_office_heads_pick_only_their_office_people(pages, in_request, read_con, person):
    office = person["office"]
    layout = build(pages, in_request, "people", role="office_head", person=person)
    offered = {o["value"] for o in layout["people-person"].options}
    expected = {
        sid
        for (sid,) in read_con.execute(
            """
            select staff_id from marts.dim_staff
            qualify row_number() over (partition by staff_id order by valid_from desc) = 1
                and department = ?
            """,
            [office],
        ).fetchall()
    }
    assert offered == expected
    outsider_id, outsider = read_con.execute(
        """
        select staff_id, name from marts.dim_staff
        where staff_id not in (select staff_id from marts.dim_staff where department = ?)
        order by staff_id limit 1
        """,
        [office],
    ).fetchone()
    layout = build(pages, in_request, "people", "zh", "office_head", person, staff_id=outsider_id)
    assert layout["people-out-of-scope"].children
    assert outsider not in as_json(layout)
    module = pages["people"]
    with in_request("zh", "office_head", office=office):
        period = encode_period("quarter", latest_complete(read_con))
        refused = module.update_person(outsider_id, period)
        assert outsider not in as_json(refused)
        assert module.export_person(1, outsider_id, period) is module.dash.no_update
        assert module.update_periods(outsider_id, "quarter") == ([], None)


def test_people_views_and_exports_are_audited(pages, in_request, read_con, person, built_home):
    sid = person["staff_id"]
    layout = build(pages, in_request, "people", staff_id=sid)
    period = layout["people-period"].value
    with in_request("zh", "hr"):
        sent = pages["people"].export_person(1, sid, period)
    actions = {(e["action"], e["subject"]) for e in users.audit_entries(built_home)}
    assert ("view_person", sid) in actions and ("export_person", sid) in actions
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert len(book.sheetnames) == 8
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    composite = read_con.execute(
        "select composite_score from marts.fct_person_scores "
        "where staff_id = ? and period_type = 'quarter' and period_start = ?",
        [sid, date.fromisoformat(period.split("|")[1])],
    ).fetchone()[0]
    assert summary["工号"] == sid and summary["综合得分"] == pytest.approx(composite)


def test_records_export_holds_the_records_behind_one_indicator(
    pages, in_request, read_con, built_home
):
    """The records export of one person's indicator: a valid .xlsx with exactly the records
    the records mart holds for that person, indicator and quarter, and an audit entry."""
    start = latest_complete(read_con)
    sid, expected = read_con.execute(
        """
        select staff_id, list(record_no order by record_no)
        from marts.fct_indicator_records
        where record_type = 'approvals' and month_start >= ?
            and month_start < ? + interval 3 month
            and list_contains(string_split(indicator_codes, ','), 'appr_on_time_rate')
        group by staff_id
        order by count(*) desc, staff_id
        limit 1
        """,
        [start, start],
    ).fetchone()
    with in_request("zh", "hr"):
        sent = pages["people"].export_records(
            1, "appr_on_time_rate", sid, encode_period("quarter", start)
        )
    assert sent["filename"].endswith(".xlsx") and sid in sent["filename"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    numbers = [str(v) for r in body for v in r if str(v) in set(expected)]
    assert len(body) == len(expected) and sorted(numbers) == sorted(expected), header
    actions = {(e["action"], e["subject"]) for e in users.audit_entries(built_home)}
    assert ("export_person", sid) in actions


def test_indicator_breakdown_matches_the_marts(pages, in_request, read_con, person):
    sid = person["staff_id"]
    layout = build(pages, in_request, "people", staff_id=sid)
    start = date.fromisoformat(layout["people-period"].value.split("|")[1])
    rows = {r["indicator_code"]: r for r in layout["people-indicator-grid"].rowData}
    expected = read_con.execute(
        """
        with mine as (
            select * from marts.fct_indicator_values
            where staff_id = ? and period_type = 'quarter' and period_start = ?
        )
        select mine.indicator_code, mine.score, mine.n,
            (select median(v.score) from marts.fct_indicator_values as v
             where v.period_type = 'quarter' and v.period_start = mine.period_start
               and v.role_category = mine.role_category and v.is_sufficient
               and v.indicator_code = mine.indicator_code)
        from mine
        """,
        [sid, start],
    ).fetchall()
    assert set(rows) == {code for code, *_ in expected}
    for code, score, n, median in expected:
        assert rows[code]["score"] == pytest.approx(score, nan_ok=True) or score is None
        assert rows[code]["n"] == n
        assert rows[code]["category_median_score"] == pytest.approx(median) or median is None


def test_ratings_grid_has_a_row_per_rated_period_and_a_column_per_rater_group(
    pages, in_request, read_con, person
):
    sid = person["staff_id"]
    grid = build(pages, in_request, "people", staff_id=sid)["people-ratings-grid"]
    expected = read_con.execute(
        """
        select period_label, rater_type, score, rater_count
        from marts.fct_ratings
        where staff_id = ?
        order by period_start desc, period_type desc
        """,
        [sid],
    ).fetchall()
    labels = list(dict.fromkeys(label for label, *_ in expected))
    assert [row["period_label"] for row in grid.rowData] == labels  # newest first
    rows = {row["period_label"]: row for row in grid.rowData}
    for label, rater, score, count in expected:
        assert rows[label][rater] == f"{score:.1f}（{count}人）"
    headers = [c.get("headerName") for c in grid.columnDefs]
    assert len(headers) == 1 + len({rater for _, rater, *_ in expected})


# -- self view --------------------------------------------------------------------------------


def test_self_view_names_nobody_else(pages, in_request, person, read_con):
    sid, own = person["staff_id"], person["name"]
    others = {name for other, name in person["roster"] if other != sid and name != own}
    module = pages["me"]
    shown = []
    with in_request("zh", "staff", staff_id=sid):
        layout = module.layout(staff_id="G0001")  # the URL cannot choose the person
        shown.append(as_json(layout))
        for period_type in ("month", "quarter", "year"):
            options, value = module.update_periods(period_type)
            shown.append(json.dumps(options, ensure_ascii=False))
            shown.append(as_json(module.update_view(value)))
            sent = module.export_mine(1, value)
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
            shown.append(
                json.dumps(
                    [c for ws in book for row in ws.iter_rows(values_only=True) for c in row],
                    ensure_ascii=False,
                    default=str,
                )
            )
    assert own in shown[0]
    for text in shown:
        assert set(STAFF_ID.findall(text)) <= {sid}
        assert not [name for name in others if name in text]


def test_self_view_arithmetic_reproduces_the_composite(pages, in_request, read_con, warehouse_path):
    sample = read_con.execute(
        """
        select staff_id, period_type, period_start, composite_score, quantitative_score,
            qualitative_score
        from marts.fct_person_scores
        where composite_score is not null
        order by hash(staff_id, period_type, period_start)
        limit 60
        """
    ).fetchall()
    assert {row[1] for row in sample} == {"month", "quarter", "year"}
    hr = Asker("hr")
    for sid, period_type, start, composite, quantitative, qualitative in sample:
        step = pq.score_steps(warehouse_path, hr, sid, period_type, start).iloc[0]
        assert step["composite_from_steps"] == pytest.approx(composite, abs=1e-9)
        if quantitative is not None:
            indicators = pq.person_indicators(warehouse_path, hr, sid, period_type, start)
            parts = indicators[~indicators["is_qualitative"]]
            assert parts["contribution"].sum() == pytest.approx(quantitative, abs=1e-9)
            assert parts["effective_weight"].sum() == pytest.approx(1)
        if qualitative is not None:
            assert step["qualitative_from_steps"] == pytest.approx(qualitative, abs=1e-9)
    # and the page shows the same number at the end of its working
    sid, period_type, start, composite, *_ = sample[0]
    with in_request("zh", "staff", staff_id=sid):
        view = pages["me"].update_view(encode_period(period_type, start))
    shown = next(c for c in walk_all(view) if getattr(c, "id", None) == "me-kpi-composite-value")
    assert shown.children == f"{composite:.1f}"
    blend = [c for c in walk_all(view) if getattr(c, "id", None) == "me-composite-result"]
    assert not blend or blend[0].children == f"{composite:.1f}"


def walk_all(components):
    for component in components:
        yield from walk(component)


def test_accounts_without_a_staff_id_see_a_note(pages, in_request, person):
    with in_request("zh", "leader"):
        layout = pages["me"].layout(staff_id=person["staff_id"])
        assert pages["me"].update_view(encode_period("quarter", "2025-01-01"))[0].id == (
            "me-no-record"
        )
    assert person["name"] not in as_json(layout)


# -- the server refuses callbacks of pages a role may not see ---------------------------------


def body(key: str, spec: dict, values: dict) -> dict:
    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop})
    inputs = [
        {"id": i["id"], "property": i["property"], "value": values.get(i["id"])}
        for i in spec.get("inputs", [])
    ]
    state = [
        {"id": s["id"], "property": s["property"], "value": values.get(s["id"])}
        for s in spec.get("state", [])
    ]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


def test_callbacks_are_refused_over_http_to_roles_that_may_not_see_the_page(
    dashboard_app, built_home, person, read_con
):
    server = dashboard_app.server
    for role in ROLES[1:]:
        users.add_user(built_home, f"pp-{role}", PASSWORD, role, **account(role, person))
    period = encode_period("quarter", latest_complete(read_con))
    values = {
        "rankings-period": period,
        "rankings-category": "审批",
        "rankings-office": "__all__",
        "rankings-period-type": "quarter",
        "people-person": person["staff_id"],
        "people-period": period,
        "people-period-type": "quarter",
        "me-period": period,
        "me-period-type": "quarter",
    }
    keys = [k for k in dashboard_app.callback_map if k.strip(".").split("-", 1)[0] in PATHS]
    assert len(keys) >= 10
    for role in ROLES:
        client = server.test_client()
        if role != "public":
            reply = client.post("/login", data={"username": f"pp-{role}", "password": PASSWORD})
            assert reply.status_code == 302
        for key in keys:
            page = key.strip(".").split("-", 1)[0]
            reply = client.post(
                "/_dash-update-component",
                json=body(key, dashboard_app.callback_map[key], values),
            )
            text = reply.get_data(as_text=True)
            if role in PAGE_ROLES[page]:
                assert reply.status_code in (200, 204), (role, key, text[:300])
            else:
                assert reply.status_code == (401 if role == "public" else 403), (role, key)
                assert person["name"] not in text
            if page == "me" and reply.status_code == 200:
                others = {n for s, n in person["roster"] if s != person["staff_id"]}
                assert not set(STAFF_ID.findall(text)) - {person["staff_id"]}, (role, key)
                assert not [n for n in others if n in text and n != person["name"]]


# -- speed ------------------------------------------------------------------------------------


def test_each_page_answers_a_click_within_a_second(pages, in_request, read_con, person):
    """Cold (nothing memoized) for a new filter value: the figures come from the marts."""
    period = encode_period("quarter", latest_complete(read_con))
    month = encode_period("month", latest_complete(read_con, "month"))
    calls = [
        ("hr", {}, lambda: pages["rankings"].update_rankings(month, "服务", "__all__")),
        ("hr", {}, lambda: pages["people"].update_person(person["staff_id"], month)),
        (
            "staff",
            {"staff_id": person["staff_id"]},
            lambda: pages["me"].update_view(period),
        ),
    ]
    for role, extra, call in calls:
        with in_request("zh", role, **extra):
            started = time.perf_counter()
            call()
            assert time.perf_counter() - started < 1.0, role
