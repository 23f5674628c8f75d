"""Views of many people's data are audited like views of one person's: the rankings, the
methodology's what-if ranking and the quarantined export rows on /data each write an entry
naming who looked at what, on every request, an answer kept by the response cache included."""

from __future__ import annotations

import pytest

from dashboard.response_cache import HEADER
from tests.helpers import render_page
from townperf import users
from warehouse import report_queries as rq

PASSWORD = "audit-views-pw"


@pytest.fixture(scope="module")
def accounts(built_home, read_con_module) -> dict:
    """One account per role used here, with names no other test uses."""
    (office,) = read_con_module.execute(
        "select department from marts.fct_person_scores group by 1 order by count(*) desc limit 1"
    ).fetchone()
    (staff_id,) = read_con_module.execute(
        "select staff_id from marts.dim_staff where is_current order by staff_id limit 1"
    ).fetchone()
    return {
        "leader": users.add_user(built_home, "audit-views-leader", PASSWORD, "leader"),
        "office_head": users.add_user(
            built_home, "audit-views-head", PASSWORD, "office_head", office=office
        ),
        "admin": users.add_user(built_home, "audit-views-admin", PASSWORD, "admin"),
        "staff": users.add_user(
            built_home, "audit-views-staff", PASSWORD, "staff", staff_id=staff_id
        ),
    }


@pytest.fixture(scope="module")
def read_con_module(warehouse_path):
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    yield con
    con.close()


def client_for(app, user):
    client = app.server.test_client()
    reply = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert reply.status_code == 302
    return client


def entries(home, user, action: str) -> list[dict]:
    return [
        e
        for e in users.audit_entries(home, 100_000)
        if e["username"] == user.username and e["action"] == action
    ]


def post(app, client, output: str, inputs: list, state: list | None = None):
    """A Dash callback request as the browser sends it, for the callback writing `output`;
    `inputs`/`state` as (id, prop, value), or a list for a wildcard (ALL) input."""
    key = next(k for k in app.callback_map if output in k.strip(".").split("..."))
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]

    def spec(item):
        if isinstance(item, list):
            return item
        cid, name, value = item
        return {"id": cid, "property": name, "value": value}

    first = next(i for i in inputs if not isinstance(i, list))
    body = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [spec(i) for i in inputs],
        "state": [spec(s) for s in state or []],
        "changedPropIds": [f"{first[0]}.{first[1]}"],
    }
    return client.post("/_dash-update-component", json=body)


def latest_complete_quarter(con):
    return con.execute(
        """
        select max(period_start) from (
            select period_start from marts.fct_person_scores where period_type = 'quarter'
            group by period_start having bool_and(is_complete_period)
        )
        """
    ).fetchone()[0]


# -- rankings ---------------------------------------------------------------------------------


def test_viewing_the_rankings_is_audited_every_time_cached_or_not(
    dashboard_app, built_home, accounts, read_con_module
):
    leader = accounts["leader"]
    client = client_for(dashboard_app, leader)
    quarter = latest_complete_quarter(read_con_module)
    (category,) = read_con_module.execute(
        "select role_category from seeds.role_categories limit 1"
    ).fetchone()
    before = len(entries(built_home, leader, "view_rankings"))
    first = render_page(dashboard_app, client, "/rankings")
    second = render_page(dashboard_app, client, "/rankings")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers[HEADER] == "hit"  # answered from the cache, and still audited
    seen = entries(built_home, leader, "view_rankings")
    assert len(seen) == before + 2
    assert {e["detail"] for e in seen} == {f"{category} quarter|{quarter.isoformat()} all"}
    assert {e["role"] for e in seen} == {"leader"} and {e["subject"] for e in seen} == {None}

    # a filter change is a view of another list: audited with what was listed
    month = read_con_module.execute(
        "select max(period_start) from marts.fct_person_scores where period_type = 'month'"
    ).fetchone()[0]
    period = f"month|{month.isoformat()}"
    reply = post(
        dashboard_app,
        client,
        "rankings-summary.children",
        [
            ("rankings-period", "value", period),
            ("rankings-category", "value", "服务"),
            ("rankings-office", "value", "__all__"),
        ],
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert f"服务 {period} all" in {
        e["detail"] for e in entries(built_home, leader, "view_rankings")
    }


def test_an_office_heads_rankings_view_names_their_office(dashboard_app, built_home, accounts):
    head = accounts["office_head"]
    reply = render_page(dashboard_app, client_for(dashboard_app, head), "/rankings")
    assert reply.status_code == 200
    seen = entries(built_home, head, "view_rankings")
    assert len(seen) == 1 and seen[0]["detail"].endswith(f" {head.office}")


def test_a_refused_rankings_request_writes_no_view(dashboard_app, built_home, accounts):
    staff = accounts["staff"]
    reply = render_page(dashboard_app, client_for(dashboard_app, staff), "/rankings")
    assert b"auth-refusal" in reply.get_data()
    assert entries(built_home, staff, "view_rankings") == []


# -- the methodology's what-if ranking --------------------------------------------------------


def test_the_what_if_ranking_is_audited_for_those_who_see_it(
    dashboard_app, built_home, accounts, warehouse_path
):
    leader, staff = accounts["leader"], accounts["staff"]
    client = client_for(dashboard_app, leader)
    before = len(entries(built_home, leader, "view_whatif"))
    assert b"results-whatif-grid" in render_page(dashboard_app, client, "/methodology").get_data()
    again = render_page(dashboard_app, client, "/methodology")
    assert again.headers[HEADER] == "hit"
    seen = entries(built_home, leader, "view_whatif")
    assert len(seen) == before + 2

    # the panel's callback: other weights, another ranking, another entry
    years = rq.whatif_periods(warehouse_path)
    year = years.loc[years["is_complete"], "period_start"].iloc[0].isoformat()
    reply = post(
        dashboard_app,
        client,
        "results-whatif-result.children",
        [
            [],  # the weight boxes (none typed: the seed's weights)
            ("results-whatif-share", "value", 0.5),
            ("results-whatif-period", "value", year),
        ],
        [("results-whatif-category", "value", "审批")],
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    details = [e["detail"] for e in entries(built_home, leader, "view_whatif")]
    assert len(details) == before + 3 and f"审批 year|{year}" in details

    # staff see the method without the panel: nothing of anyone's, nothing audited
    shown = render_page(dashboard_app, client_for(dashboard_app, staff), "/methodology")
    assert shown.status_code == 200 and b"results-whatif-grid" not in shown.get_data()
    assert entries(built_home, staff, "view_whatif") == []


# -- quarantined rows on /data ----------------------------------------------------------------


def test_viewing_quarantined_rows_is_audited(dashboard_app, built_home, accounts, read_con_module):
    admin = accounts["admin"]
    client = client_for(dashboard_app, admin)
    before = len(entries(built_home, admin, "view_quarantine"))
    page = render_page(dashboard_app, client, "/data")
    assert page.status_code == 200 and b"data-quarantine-grid" in page.get_data()
    seen = entries(built_home, admin, "view_quarantine")
    assert len(seen) == before + 1 and seen[0]["detail"] == "all all"

    (source,) = read_con_module.execute(
        "select source from raw.quarantine group by 1 order by count(*) desc limit 1"
    ).fetchone()
    reply = post(
        dashboard_app,
        client,
        "data-filtered.children",
        [("data-source", "value", source), ("data-file", "value", "__all__")],
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    details = [e["detail"] for e in entries(built_home, admin, "view_quarantine")]
    assert len(details) == before + 2 and f"{source} all" in details
