"""The report pages (result utilization, public summary, methodology, data status) without a
browser: built in both languages for the roles allowed, refused to the others, every figure
checked against an independent reading of the warehouse or of the seed files."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import dash
import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard.app import create_app
from dashboard.auth import PAGE_ROLES
from dashboard.components import scoring
from tests.dashboard.conftest import (
    _walk,
    page_module,
    reads_the_warehouse,
    stored_tables,
    tabbed_table,
)
from townperf.settings import DBT_PROJECT_DIR, get_settings
from warehouse import queries
from warehouse import report_queries as rq

ROLES = ("public", "staff", "office_head", "hr", "leader", "admin")
PAGES = ("/results", "/public", "/methodology", "/data")
TITLES = {
    "/results": ("结果运用", "Result utilization"),
    "/public": ("公开信息", "Public summary"),
    "/methodology": ("考核办法", "Methodology"),
    "/data": ("数据管理", "Data status"),
}
LABEL_KEY = re.compile(r"^[a-z_]+\.[a-z_.{}]+$")
SEEDS = DBT_PROJECT_DIR / "seeds"


@pytest.fixture(scope="module")
def pages(dashboard_app):
    return {path: page_module(path) for path in PAGES}


@pytest.fixture(scope="module")
def roster(warehouse_path):
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    try:
        rows = con.execute("select distinct staff_id, name from marts.dim_staff").fetchall()
    finally:
        con.close()
    return {sid for sid, _ in rows}, {name for _, name in rows}


def shown_labels(layout) -> list[str]:
    """Every text of the layout: strings, grid headers (the tables behind 数据表 tabs too) and
    select options."""
    found = []
    for node in [*_walk(layout), *stored_tables(layout)]:
        if isinstance(node, str):
            found.append(node)
            continue
        for header in getattr(node, "columnDefs", None) or []:
            found.append(header["headerName"])
        for option in getattr(node, "options", None) or []:
            if isinstance(option, dict) and isinstance(option.get("label"), str):
                found.append(option["label"])
    return found


def component(layout, component_id):
    for node in _walk(layout):
        if getattr(node, "id", None) == component_id:
            return node
    raise KeyError(component_id)


def ids(layout) -> list:
    return [node.id for node in _walk(layout) if getattr(node, "id", None) is not None]


# -- every page, every role, both languages ---------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_build_for_allowed_roles_and_refuse_the_others(pages, in_request, path, lang):
    key = path.strip("/")
    for role in ROLES:
        with in_request(lang, role, staff_id="G0001" if role == "staff" else None, office="x"):
            layout = pages[path].layout()
        text = shown_labels(layout)
        if role in PAGE_ROLES[key]:
            assert TITLES[path][0 if lang == "zh" else 1] in text, (path, role)
            assert not [s for s in text if LABEL_KEY.match(s)], (path, role, "label missing")
            assert "auth-refusal" not in ids(layout), (path, role)
        else:
            assert ids(layout) == ["auth-refusal"], (path, role)


def test_every_component_id_carries_its_page_prefix(pages, in_request):
    for path, module in pages.items():
        with in_request("zh", "leader" if path != "/data" else "admin"):
            layout = module.layout()
        prefixes = {path.strip("/")} | ({"results"} if path == "/methodology" else set())
        for cid in ids(layout):
            name = cid["type"] if isinstance(cid, dict) else cid
            if name.startswith("_dbcprivate"):
                continue
            assert name.split("-", 1)[0] in prefixes, (path, cid)


def test_a_page_rendered_again_reads_nothing_from_the_warehouse(pages, in_request, warehouse_path):
    """Every read of a page is memoized: its second render opens no connection to the file.
    (How fast a render is, is the bench's to measure, not a test's.)"""
    first_path, first = next(iter(pages.items()))
    with in_request("zh", "leader"):
        queries.clear_cache()
        assert reads_the_warehouse(warehouse_path, first.layout), first_path  # the control
    for path, module in pages.items():
        with in_request("zh", "admin" if path == "/data" else "leader"):
            module.layout()  # the first call fills the query cache
            opened = reads_the_warehouse(warehouse_path, module.layout)
        assert not opened, path


# -- public summary ---------------------------------------------------------------------------


def _callback_key(app, output_id: str) -> str:
    return next(key for key in app.callback_map if output_id in key)


def _post(client, app, key: str, inputs: dict[str, object]) -> object:
    spec = app.callback_map[key]
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    body = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [_value(i, inputs) for i in spec["inputs"]],
        "state": [_value(s, inputs) for s in spec.get("state", [])],
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }
    return client.post("/_dash-update-component", json=body)


def _value(item: dict, values: dict[str, object]) -> dict:
    """A callback argument as the browser sends it; `values` keyed by "id.property" or "id"."""
    value = values.get(f"{item['id']}.{item['property']}", values.get(item["id"]))
    return {"id": item["id"], "property": item["property"], "value": value}


def test_public_page_and_its_callbacks_hold_no_name_or_id(dashboard_app, roster, read_con):
    staff_ids, names = roster
    app = dashboard_app
    client = app.server.test_client()  # anonymous
    assert client.get("/public").status_code == 200
    pages_key = next(key for key in app.callback_map if "_pages_content" in key)
    replies = [
        _post(
            client,
            app,
            pages_key,
            {"_pages_location.pathname": "/public", "_pages_location.search": ""},
        )
    ]
    months = [
        m.isoformat()
        for (m,) in read_con.execute(
            "select distinct period_start from marts.public_service_summary order by 1"
        ).fetchall()
    ]
    month_key = _callback_key(app, "public-kpis.children")
    for month in (months[0], months[len(months) // 2], months[-1]):
        replies.append(_post(client, app, month_key, {"public-month": month}))
    download_key = _callback_key(app, "public-download.data")
    replies.append(_post(client, app, download_key, {"public-download-button": 1}))
    for reply in replies:
        assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
        text = reply.get_data(as_text=True)
        decoded = json.dumps(json.loads(text), ensure_ascii=False)
        assert not [sid for sid in staff_ids if sid in decoded]
        assert not [name for name in names if name in decoded]
    csv = json.loads(replies[-1].get_data(as_text=True))["response"]["public-download"]["data"]
    assert csv["content"], "the CSV is sent"


def test_public_queries_read_only_public_marts(warehouse_path):
    source = (Path(__file__).parents[2] / "dashboard" / "pages" / "public.py").read_text()
    used = set(re.findall(r"\brq\.(\w+)", source))
    assert used and all(name.startswith("public_") for name in used), used
    with pytest.raises(rq.NotPublic):
        rq._public_query("select name from marts.dim_staff", warehouse_path)
    with pytest.raises(rq.NotPublic):
        rq._public_query(
            "select * from marts.public_service_summary join raw.loads on true", warehouse_path
        )


def test_public_figures_equal_the_mart(pages, in_request, read_con):
    latest, value = read_con.execute(
        """
        select period_start, value from marts.public_service_summary
        where scope_type = 'town' and metric = 'approvals_completed'
        order by period_start desc limit 1
        """
    ).fetchone()
    with in_request("zh", "public"):
        layout = pages["/public"].layout()
    shown = component(layout, "public-kpi-approvals_completed-value").children
    assert float(shown.replace(",", "")) == pytest.approx(value)
    offices = component(layout, "public-offices-grid").rowData
    expected = {
        scope
        for (scope,) in read_con.execute(
            "select distinct scope from marts.public_service_summary "
            "where scope_type = 'department' and period_start = ?",
            [latest],
        ).fetchall()
    }
    assert {row["office"] for row in offices} == expected


def test_public_csv_has_every_month(pages, in_request, read_con, warehouse_path):
    with in_request("en", "public"):
        frame = pages["/public"].csv_frame(rq.public_town_monthly.uncached(warehouse_path), "en")
    months = read_con.execute(
        "select count(distinct period_start) from marts.public_service_summary "
        "where scope_type = 'town'"
    ).fetchone()[0]
    assert len(frame) == months
    assert list(frame.columns)[0] == "Month"


# -- methodology ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_methodology_lists_every_indicator_with_its_weight_per_category(pages, in_request, lang):
    indicators = pd.read_csv(SEEDS / "indicators.csv")
    weights = pd.read_csv(SEEDS / "indicator_weights.csv")
    categories = pd.read_csv(SEEDS / "role_categories.csv")
    with in_request(lang, "public"):
        layout = pages["/methodology"].layout()
    catalog = " ".join(str(s) for s in shown_labels(component(layout, "methodology-indicators")))
    for row in indicators.itertuples():
        assert row.indicator_code in catalog
        assert (row.name_zh if lang == "zh" else row.name_en) in catalog
        assert (row.formula_zh if lang == "zh" else row.formula_en) in catalog
        assert (row.owner_zh if lang == "zh" else row.owner_en) in catalog

    table = component(layout, "methodology-weights")
    header = [th.children for th in _walk(table) if getattr(th, "_type", "") == "Th"]
    names = dict(zip(indicators.indicator_code, indicators[f"name_{lang}"], strict=True))
    label = {
        "zh": dict(zip(categories.role_category, categories.role_category, strict=True)),
        "en": dict(zip(categories.role_category, categories.name_en, strict=True)),
    }[lang]
    rows = [node for node in _walk(table) if getattr(node, "_type", "") == "Tr"][1:]
    cells = {}
    for tr in rows:
        tds = tr.children
        name = " ".join(s for s in shown_labels(tds[0]))
        for column, td in zip(header[1:], tds[1:], strict=True):
            cells[(name, column)] = " ".join(shown_labels(td))
    for row in weights.itertuples():
        key = next(
            k
            for k in cells
            if k[1] == label[row.role_category] and names[row.indicator_code] in k[0]
        )
        assert cells[key].split()[0] == f"{float(row.weight):g}", (row, cells[key])
    effective = scoring.effective_weights(weights, indicators, categories)
    for category, total in effective.groupby("role_category")["effective_weight"].sum().items():
        assert total == pytest.approx(1.0), category


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_methodology_lists_every_consequence_rule_with_due_or_barred(pages, in_request, lang):
    """Each row of the consequences seed is on the page with whether the action must or must
    not follow the grade (a bonus paid after 基本称职 is as wrong as a 嘉奖 missing after 优秀)."""
    from dashboard.i18n import t

    rules = pd.read_csv(SEEDS / "grade_consequences.csv")
    with in_request(lang, "public"):
        layout = pages["/methodology"].layout()
    table = component(layout, "methodology-consequences")
    rows = [
        " | ".join(shown_labels(tr)) for tr in _walk(table) if getattr(tr, "_type", "") == "Tr"
    ][1:]
    assert len(rows) == len(rules)
    for row, rule in zip(rows, rules.itertuples(), strict=True):
        assert t(f"methodology.expectation.{rule.expectation}", lang) in row
        assert (rule.condition_zh if lang == "zh" else rule.condition_en) in row
    assert {"due", "barred"} <= set(rules.expectation)


def test_methodology_steps_carry_the_seed_values(pages, in_request):
    settings = pd.read_csv(SEEDS / "settings.csv").set_index("setting")["value"]
    with in_request("zh", "public"):
        layout = pages["/methodology"].layout()
    steps = " ".join(shown_labels(component(layout, "methodology-steps")))
    assert f"m = {float(settings['shrinkage_m']):g}" in steps
    assert f"{float(settings['excellent_quota']) * 100:g}%" in steps
    assert f"{float(settings['low_score_share']) * 100:g}%" in steps
    source = (
        pd.read_csv(SEEDS / "settings.csv").set_index("setting").loc["excellent_quota", "source"]
    )
    assert source in steps
    for i in range(1, 8):
        component(layout, f"methodology-step-{i}")
    deadlines = " ".join(shown_labels(layout))
    assert "《公务员法》(2018) 第九十五条" in deadlines


def test_methodology_is_public_and_without_a_warehouse_reads_the_seed_files(tmp_path):
    app = create_app(get_settings(tmp_path))
    page = next(p for p in dash.page_registry.values() if p["path"] == "/methodology")
    with app.server.test_request_context("/"):
        layout = page["layout"]()
    text = " ".join(shown_labels(layout))
    assert "appr_on_time_rate" in text and "审批按时办结率" in text
    assert "results-whatif-panel" not in ids(layout)


@pytest.mark.parametrize("role", ROLES)
def test_whatif_panel_only_for_leader_and_hr(pages, in_request, role):
    with in_request("zh", role, staff_id="G0001", office="x"):
        layout = pages["/methodology"].layout()
    shown = "results-whatif-panel" in ids(layout)
    assert shown == (role in PAGE_ROLES["results"])
    whatif_ids = [i for i in ids(layout) if "whatif" in str(i)]
    assert all(
        (i["type"] if isinstance(i, dict) else i).startswith("results-whatif-") for i in whatif_ids
    )


def test_whatif_callbacks_are_refused_to_anonymous_visitors(dashboard_app):
    client = dashboard_app.server.test_client()
    key = _callback_key(dashboard_app, "results-whatif-result.children")
    assert _post(client, dashboard_app, key, {}).status_code == 401


def _seed_frames():
    return {
        name: pd.read_csv(SEEDS / f"{name}.csv")
        for name in ("indicators", "indicator_weights", "role_categories")
    }


def test_whatif_with_the_seed_weights_reproduces_the_warehouse(warehouse_path, read_con):
    seeds = _seed_frames()
    ratings = set(seeds["indicators"].query("kind == 'rating'")["indicator_code"])
    categories = seeds["role_categories"].set_index("role_category")
    periods = read_con.execute(
        "select distinct period_type, period_start from marts.fct_person_scores"
    ).fetchall()
    checked = 0
    for period_type, start in periods:
        for category, row in categories.iterrows():
            weights = dict(
                seeds["indicator_weights"]
                .query("role_category == @category")[["indicator_code", "weight"]]
                .itertuples(index=False)
            )
            scores = rq.whatif_scores.uncached(warehouse_path, category, period_type, start)
            current = rq.whatif_current.uncached(warehouse_path, category, period_type, start)
            if current.empty:
                continue
            whatif = scoring.composites(
                scores, weights, ratings, row.qualitative_share, row.min_coverage
            )
            both = current.merge(whatif, on="staff_id", suffixes=("", "_whatif"), validate="1:1")
            assert len(both) == len(current) == len(whatif)
            # a month where nobody in the category has a score has no composites on either side
            np.testing.assert_allclose(
                both["composite_score"], both["composite_score_whatif"], atol=1e-9, equal_nan=True
            )
            assert (both["insufficient_data"] == both["insufficient_data_whatif"]).all()
            ranked = both[~both["insufficient_data"]]
            # the mart ranks on the raw float; equal composites may differ in the last bit there
            rounded = ranked["composite_score"].round(scoring.TIE_DECIMALS)
            for _, person in ranked.iterrows():
                value = round(person["composite_score"], scoring.TIE_DECIMALS)
                ties = int((rounded == value).sum())
                assert person["rank_in_category_whatif"] == int((rounded > value).sum()) + 1
                assert (
                    person["rank_in_category_whatif"]
                    <= person["rank_in_category"]
                    < person["rank_in_category_whatif"] + ties
                )
            checked += 1
    assert checked > 20


def test_whatif_panel_moves_people_when_weights_change(pages, in_request, read_con):
    module = pages["/methodology"]
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_person_scores "
        "where period_type = 'year' and is_complete_period"
    ).fetchone()
    seeds = rq.seed_tables_from_files()
    with in_request("zh", "hr"):
        unchanged = module.whatif_table(module.warehouse_path(), seeds, "审批", year, {}, None)
        assert (unchanged["movement"].dropna() == 0).all()
        only_workload = {
            "appr_workload": 100,
            "appr_on_time_rate": 0,
            "appr_time_ratio": 0,
            "appr_good_rating_rate": 0,
            "task_on_time_rate": 0,
        }
        tried = module.whatif_table(module.warehouse_path(), seeds, "审批", year, only_workload, 0)
    assert (tried["movement"].dropna() != 0).any()
    workload = (
        read_con.execute(
            "select staff_id, score from marts.fct_indicator_values where period_type = 'year' "
            "and period_start = ? and role_category = '审批' and indicator_code = 'appr_workload'",
            [year],
        )
        .df()
        .set_index("staff_id")["score"]
    )
    ranked = tried.dropna(subset=["rank_in_category_whatif"])
    top = ranked.sort_values("rank_in_category_whatif")["staff_id"].iloc[0]
    assert workload[top] == pytest.approx(workload[ranked["staff_id"]].max())


# -- result utilization -----------------------------------------------------------------------


def _independent_overdue(read_con, period_type: str, start: date) -> int:
    return read_con.execute(
        """
        select count(*)
        from marts.fct_result_utilization as r
        where r.period_type = ? and r.period_start = ?
          and (r.action is not null or r.final_grade is null)
          and date_diff('day', r.period_end, coalesce(r.applied_on, current_date))
              > (select cast(value as integer) from seeds.settings
                 where setting = 'apply_overdue_days')
        """,
        [period_type, start],
    ).fetchone()[0]


def test_overdue_count_equals_an_independent_count(pages, in_request, read_con):
    module = pages["/results"]
    periods = read_con.execute(
        "select distinct period_type, period_start from marts.fct_result_utilization"
    ).fetchall()
    with in_request("zh", "leader"):
        for period_type, start in periods:
            body = module.update_body(f"{period_type}|{start.isoformat()}")
            wrapper = dash.html.Div(body)
            expected = _independent_overdue(read_con, period_type, start)
            shown = component(wrapper, "results-kpi-overdue-value").children
            assert int(shown.replace(",", "")) == expected, (period_type, start)
            assert len(component(wrapper, "results-overdue-grid").rowData) == expected


def test_results_figures_equal_the_marts(pages, in_request, read_con):
    module = pages["/results"]
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'year'"
    ).fetchone()
    with in_request("en", "hr"):
        layout = module.layout()
    assert component(layout, "results-period").value == f"year|{year.isoformat()}"
    pay = read_con.execute(
        """
        with bonus as (
            select staff_id, sum(amount) as amount from marts.fct_result_utilization
            where period_type = 'year' and period_start = ? and action = '绩效奖金'
            group by staff_id
        )
        select s.composite_score, bonus.amount from bonus
        join marts.fct_person_scores as s
          on s.staff_id = bonus.staff_id and s.period_type = 'year' and s.period_start = ?
        """,
        [year, year],
    ).df()
    r = pay["composite_score"].corr(pay["amount"])
    assert component(layout, "results-pay-r").children == f"{r:.2f}"
    unnotified = read_con.execute(
        "select count(distinct staff_id) from marts.fct_result_utilization "
        "where period_type = 'year' and period_start = ? and is_not_notified",
        [year],
    ).fetchone()[0]
    assert component(layout, "results-kpi-not-notified-value").children == str(unnotified)
    checks = read_con.execute(
        """
        select
            count(*) filter (where expectation = 'due' and not was_applied),
            count(*) filter (where expectation = 'barred' and was_applied),
            count(*)
        from marts.fct_consequence_checks where period_start = ?
        """,
        [year],
    ).fetchone()
    missing, barred, total = checks
    award_gaps = read_con.execute(
        "select count(*) from marts.fct_consequence_checks "
        "where period_start = ? and expected_action = '嘉奖' and not was_applied",
        [year],
    ).fetchone()[0]
    assert award_gaps == _independent_excellent_without_award(read_con, year)
    assert barred == _independent_barred_bonuses(read_con, year)
    assert component(layout, "results-kpi-missing-value").children == str(missing)
    assert component(layout, "results-kpi-barred-value").children == str(barred)
    if missing + barred:
        assert len(component(layout, "results-gaps-grid").rowData) == missing + barred
    else:
        assert "results-gaps-grid" not in ids(layout)
    # the bar chart's table alternative: every check counted once, as required or not
    summary = tabbed_table(layout, "results-consequences-grid").rowData
    assert sum(row["ok"] + row["wrong"] for row in summary) == total
    assert sum(row["wrong"] for row in summary) == missing + barred
    # the lag histogram's table alternative: every decision applied, in one band
    applied = read_con.execute(
        "select count(days_to_apply) from marts.fct_result_utilization "
        "where period_type = 'year' and period_start = ?",
        [year],
    ).fetchone()[0]
    bands = tabbed_table(layout, "results-lag-grid").rowData
    assert sum(row["decisions"] for row in bands) == applied > 0
    talks = read_con.execute(
        """
        select count(distinct r.staff_id) filter (where f.staff_id is not null),
               count(distinct r.staff_id)
        from marts.fct_result_utilization as r
        left join marts.fct_feedback as f
          on f.staff_id = r.staff_id and f.period_type = r.period_type
         and f.period_start = r.period_start and f.kind = '绩效面谈'
        where r.period_type = 'year' and r.period_start = ? and r.final_grade is not null
        """,
        [year],
    ).fetchone()
    assert (
        component(layout, "results-kpi-talks-value").children == f"{talks[0] / talks[1] * 100:.0f}%"
    )
    reviews = read_con.execute(
        "select count(*) from marts.fct_feedback where kind in ('复核申请', '申诉') "
        "and ((period_type = 'year' and period_start = ?) or is_open)",
        [year],
    ).fetchone()[0]
    assert len(component(layout, "results-reviews-grid").rowData) == reviews


def _independent_excellent_without_award(read_con, year: date) -> int:
    """优秀 people of the year with no 嘉奖 decision, read from the decisions themselves."""
    return read_con.execute(
        """
        select count(distinct staff_id)
        from staging.stg_actions__decisions as d
        where period_type = 'year' and period_start = ? and final_grade = '优秀'
          and not exists (
              select 1 from staging.stg_actions__decisions as a
              where a.staff_id = d.staff_id and a.period_type = 'year'
                and a.period_start = d.period_start and a.action = '嘉奖'
          )
        """,
        [year],
    ).fetchone()[0]


def _independent_barred_bonuses(read_con, year: date) -> int:
    """基本称职 or 不称职 years for which a bonus was decided all the same."""
    return read_con.execute(
        """
        select count(distinct staff_id)
        from staging.stg_actions__decisions
        where period_type = 'year' and period_start = ?
          and final_grade in ('基本称职', '不称职') and action = '绩效奖金'
        """,
        [year],
    ).fetchone()[0]


def test_results_views_are_audited(pages, in_request, read_con, built_home):
    """The page names people with their grades, bonuses and appeals: every view of a period is
    written to the audit log, like a view of one person."""
    from townperf import users

    module = pages["/results"]
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'year'"
    ).fetchone()
    (quarter,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'quarter'"
    ).fetchone()
    shown = (f"year|{year.isoformat()}", f"quarter|{quarter.isoformat()}")

    def views() -> list[str]:
        return [
            e["detail"]
            for e in users.audit_entries(built_home, limit=100_000)
            if e["username"] == "test-hr" and e["action"] == "view_results"
        ]

    before = views()
    with in_request("zh", "hr"):
        module.layout()  # the newest year
        module.update_body(shown[1])
    after = views()
    for period in shown:
        assert after.count(period) == before.count(period) + 1, period


def test_results_export_is_a_valid_workbook(pages, in_request, read_con):
    module = pages["/results"]
    (year,) = read_con.execute(
        "select max(period_start) from marts.fct_result_utilization where period_type = 'year'"
    ).fetchone()
    with in_request("zh", "leader"):
        sent = module.export_results(1, f"year|{year.isoformat()}")
    workbook = openpyxl.load_workbook(io.BytesIO(_content(sent)))
    assert {"超期事项", "与等次规定不符", "落实用时分布", "按等次核对", "复核申请期"} <= set(
        workbook.sheetnames
    )
    overdue = workbook["超期事项"]
    assert overdue.max_row - 1 == _independent_overdue(read_con, "year", year)
    wrong = read_con.execute(
        "select count(*) from marts.fct_consequence_checks where period_start = ? and is_wrong",
        [year],
    ).fetchone()[0]
    assert workbook["与等次规定不符"].max_row - 1 == wrong


def _content(sent: dict) -> bytes:
    import base64

    return base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()


# -- data status ------------------------------------------------------------------------------


def test_data_page_counts_equal_the_raw_tables(pages, in_request, read_con, built_home):
    module = pages["/data"]
    with in_request("zh", "admin"):
        layout = module.layout()
    total = read_con.execute("select count(*) from raw.quarantine").fetchone()[0]
    shown = component(layout, "data-kpi-quarantined-value").children
    assert (
        int(shown.replace(",", ""))
        == read_con.execute(
            "select sum(rows_quarantined) from raw.loads where status = 'loaded'"
        ).fetchone()[0]
    )
    assert f"{total:,}" in component(layout, "data-quarantine-count").children
    history = component(layout, "data-history-grid").rowData
    assert history and history[0]["status_text"] == "成功"
    sources = {row["label"] for row in component(layout, "data-freshness-grid").rowData}
    assert sources >= {"审批办件", "服务工单", "执法案件", "人员名册"}
    unattributed = read_con.execute("select count(*) from marts.data_unattributed").fetchone()[0]
    assert len(component(layout, "data-unattributed-grid").rowData) == unattributed

    source = read_con.execute(
        "select source from raw.quarantine group by 1 order by count(*) limit 1"
    ).fetchone()[0]
    with in_request("zh", "admin"):
        body = dash.html.Div(module.update_filtered(source, None))
        sent = module.export_quarantine(1, source, None)
    in_source = read_con.execute(
        "select count(*) from raw.quarantine where source = ?", [source]
    ).fetchone()[0]
    assert f"{in_source:,}" in component(body, "data-quarantine-count").children
    workbook = openpyxl.load_workbook(io.BytesIO(_content(sent)))
    assert workbook.worksheets[0].max_row - 1 == in_source
    # the refresh history and freshness by source, whatever the filter, as the page shows them
    history_grid = component(layout, "data-history-grid")
    columns = [c for c in history_grid.columnDefs if c["field"] != "docs"]  # links stay online
    header, shown = _sheet(workbook["数据更新记录"])
    assert header == [c["headerName"] for c in columns]
    assert shown == [{c["headerName"]: row[c["field"]] for c in columns} for row in history]
    freshness_grid = component(layout, "data-freshness-grid")
    header, shown = _sheet(workbook["数据新鲜度"])
    assert header == [c["headerName"] for c in freshness_grid.columnDefs]
    assert shown == [
        {c["headerName"]: row[c["field"]] for c in freshness_grid.columnDefs}
        for row in freshness_grid.rowData
    ]
    assert {row["来源"] for row in shown} >= {"审批办件", "服务工单", "执法案件", "人员名册"}


def _sheet(sheet) -> tuple[list, list[dict]]:
    """A sheet's header, and its rows by header (an empty cell read as None, as a grid's)."""
    header, *rows = sheet.iter_rows(values_only=True)
    return list(header), [dict(zip(header, row, strict=True)) for row in rows]
