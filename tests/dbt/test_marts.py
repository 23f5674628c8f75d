"""The real `dbt build` on the generated town: contract marts filled, rules respected, and
indicator values that agree with an independent recomputation from the raw export files."""

from __future__ import annotations

import json

import holidays
import numpy as np
import pandas as pd
import pytest

CATEGORIES = {"审批", "服务", "执法", "综合管理", "领导"}


def _df(con, sql, params=None):
    return con.execute(sql, params or []).to_arrow_table().to_pandas()


def test_contract_marts_exist_and_are_filled(read_con):
    for table in (
        "dim_staff",
        "fct_indicator_values",
        "fct_person_scores",
        "fct_result_utilization",
        "public_service_summary",
    ):
        (count,) = read_con.execute(f"select count(*) from marts.{table}").fetchall()[0]
        assert count > 0, table


def test_every_category_is_scored_for_every_period_type(read_con):
    got = _df(
        read_con,
        "select period_type, role_category, count(composite_score) as scored "
        "from marts.fct_person_scores group by all",
    )
    for period_type in ("month", "quarter", "year"):
        cats = set(got[(got.period_type == period_type) & (got.scored > 0)].role_category)
        assert cats == CATEGORIES, period_type


def test_grade_recommendation_within_quota(read_con):
    quota = float(
        read_con.execute(
            "select value from seeds.settings where setting = 'excellent_quota'"
        ).fetchall()[0][0]
    )
    per_unit = _df(
        read_con,
        "select unit, period_start, count(*) as assessed, "
        "count_if(grade_recommendation = '优秀') as excellent "
        "from marts.fct_person_scores where period_type = 'year' "
        "and staff_type in ('公务员', '参公') and is_complete_period group by all",
    )
    assert not per_unit.empty
    assert (per_unit.excellent <= np.floor(quota * per_unit.assessed)).all()
    assert (per_unit.excellent > 0).all()


def test_ranks_are_dense_within_category(read_con):
    ranks = _df(
        read_con,
        "select role_category, period_start, rank_in_category, n_in_category "
        "from marts.fct_person_scores where period_type = 'quarter' and not insufficient_data",
    )
    for _, group in ranks.groupby(["role_category", "period_start"]):
        assert group.rank_in_category.min() == 1
        assert group.rank_in_category.max() <= len(group) == group.n_in_category.iloc[0]


def test_scores_respect_direction(read_con):
    """For a lower-is-better indicator, the lowest adjusted value gets the top score."""
    rows = _df(
        read_con,
        "select period_start, value_adjusted, score from marts.fct_indicator_values "
        "where indicator_code = 'tkt_reopen_rate' and period_type = 'quarter' "
        "and score is not null",
    )
    for _, group in rows.groupby("period_start"):
        best = group.loc[group.value_adjusted.idxmin()]
        worst = group.loc[group.value_adjusted.idxmax()]
        assert best.score == group.score.max() and worst.score == group.score.min()


def _read_exports(folder, prefix):
    frames = []
    for path in sorted(folder.glob(f"{prefix}_*.csv")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        from io import StringIO

        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
        frame["_file"] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def manifest(town_exports):
    return json.loads((town_exports / "manifest.json").read_text(encoding="utf-8"))


def test_approval_on_time_rate_recomputed_independently(read_con, town_exports):
    """Recompute a month's on-time rate per person from the CSV exports with pandas and the
    holidays package, then compare with the mart's raw value."""
    raw = _read_exports(town_exports, "approvals")
    raw["received"] = pd.to_datetime(raw["受理时间"], errors="coerce", format="mixed")
    raw["completed"] = pd.to_datetime(raw["办结时间"], errors="coerce", format="mixed")
    raw = raw.dropna(subset=["received"])
    # the newest export of a case wins; a case whose completion precedes receipt is rejected
    raw = raw.drop_duplicates(subset=["办件编号"], keep="last")
    done = raw[(raw["办件状态"] == "办结") & raw["completed"].notna()]
    done = done[done["completed"] >= done["received"]]
    cn = holidays.China(years=range(2024, 2027))
    month = pd.Timestamp("2025-06-01")
    in_month = done[done["completed"].dt.to_period("M") == month.to_period("M")].copy()

    def working_days(a, b):
        days = pd.date_range(a.normalize() + pd.Timedelta(days=1), b.normalize(), freq="D")
        return sum(cn.is_working_day(d.date()) for d in days)

    in_month["used"] = [
        working_days(a, b) for a, b in zip(in_month["received"], in_month["completed"], strict=True)
    ]
    in_month["on_time"] = in_month["used"] <= in_month["承诺时限"].astype(int)
    expected = in_month.groupby("承办人工号")["on_time"].mean()

    mart = _df(
        read_con,
        "select staff_id, value from marts.fct_indicator_values where indicator_code = "
        "'appr_on_time_rate' and period_type = 'month' and period_start = ?",
        [month.date()],
    ).set_index("staff_id")["value"]
    common = expected.index.intersection(mart.index)
    assert len(common) >= 10
    np.testing.assert_allclose(mart[common].to_numpy(), expected[common].to_numpy(), atol=1e-9)


def test_ticket_workload_recomputed_independently(read_con, town_exports):
    raw = _read_exports(town_exports, "tickets")
    raw["created"] = pd.to_datetime(raw["派单时间"], errors="coerce", format="mixed")
    raw["closed"] = pd.to_datetime(raw["办结时间"], errors="coerce", format="mixed")
    raw = raw.dropna(subset=["created"]).drop_duplicates(subset=["工单编号"], keep="last")
    closed = raw[
        (raw["状态"] == "办结") & raw["closed"].notna() & (raw["closed"] >= raw["created"])
    ]
    quarter = closed[closed["closed"].dt.to_period("Q") == pd.Period("2025Q3")]
    expected = quarter.groupby("承办人工号").size()
    mart = _df(
        read_con,
        "select staff_id, value from marts.fct_indicator_values where indicator_code = "
        "'tkt_workload' and period_type = 'quarter' and period_start = date '2025-07-01'",
    ).set_index("staff_id")["value"]
    common = expected.index.intersection(mart.index)
    assert len(common) >= 10
    np.testing.assert_allclose(mart[common].to_numpy(), expected[common].to_numpy())


def test_public_summary_has_no_person_and_respects_k(read_con):
    summary = _df(read_con, "select * from marts.public_service_summary")
    k = float(
        read_con.execute(
            "select value from seeds.settings where setting = 'k_anonymity'"
        ).fetchall()[0][0]
    )
    assert (summary.contributors >= k).all()
    ids = set(_df(read_con, "select staff_id from marts.dim_staff").staff_id)
    names = set(_df(read_con, "select name from marts.dim_staff").name)
    text = summary.astype(str).to_csv()
    assert not any(i in text for i in ids)
    assert not any(n in text for n in names)


def test_person_who_moved_is_scored_in_each_category(read_con):
    moved = _df(
        read_con,
        "select staff_id from marts.dim_staff group by staff_id "
        "having count(distinct role_category) > 1",
    )
    assert not moved.empty
    sid = moved.staff_id.iloc[0]
    cats = _df(
        read_con,
        "select distinct role_category from marts.fct_person_scores "
        "where staff_id = ? and period_type = 'month'",
        [sid],
    )
    assert len(cats) > 1


def test_people_are_scored_where_they_worked_in_the_months_after_a_move(read_con):
    """Whoever handled many approvals in a month is scored as approval staff that month, unless
    they moved during it. With quarterly rosters, a move dated by the next roster left movers
    scored in their old category for up to three months while doing the new job."""
    misplaced = _df(
        read_con,
        """
        with handled as (
            select handler_id as staff_id, month_start
            from intermediate.int_approvals_measured
            group by all
            having count(*) >= 20
        ),
        moved as (
            select staff_id, date_trunc('month', valid_from)::date as month_start
            from intermediate.int_staff_versions
            where version_no > 1
        )
        select handled.staff_id, handled.month_start, scores.role_category
        from handled
        inner join marts.fct_person_scores as scores
            on scores.staff_id = handled.staff_id
            and scores.period_type = 'month'
            and scores.period_start = handled.month_start
        where scores.role_category != '审批'
            and not exists (
                select 1 from moved
                where moved.staff_id = handled.staff_id
                    and moved.month_start = handled.month_start
            )
        """,
    )
    assert misplaced.empty, misplaced.to_string()
    # the moves themselves are dated from the rosters' post_since, not the roster date
    dated = _df(
        read_con,
        """
        select count(*) as n
        from intermediate.int_staff_versions as versions
        inner join raw.staff
            on raw.staff.staff_id = versions.staff_id
            and raw.staff.post_since = versions.valid_from
        where versions.version_no > 1
            and versions.valid_from not in (select distinct as_of from raw.staff)
        """,
    )
    assert dated.n.iloc[0] > 0


def test_enforcement_rates_recomputed_independently(read_con, town_exports):
    """2025's on-time and corrected rates of each lead officer from the case exports, by the
    SPEC rules: an ordinary case is on time when decided within 90 days of filing, a simple
    one when decided the day it was filed; corrected = 纠错 among cases that went to review
    (维持 or 纠错)."""
    raw = _read_exports(town_exports, "cases")
    for column, header in (("filed", "立案日期"), ("decided", "决定日期"), ("closed", "结案日期")):
        raw[column] = pd.to_datetime(raw[header], errors="coerce", format="mixed")
    raw = raw.dropna(subset=["filed"]).drop_duplicates(subset=["案件编号"], keep="last")
    closed = raw[(raw["状态"] == "结案") & raw["closed"].notna()]
    closed = closed[(closed["closed"] >= closed["filed"])]
    closed = closed[closed["decided"].isna() | (closed["decided"] >= closed["filed"])]
    year = closed[closed["closed"].dt.year == 2025].copy()
    days = (year["decided"] - year["filed"]).dt.days
    year["on_time"] = np.where(year["程序"] == "简易程序", days == 0, days <= 90)
    reviewed = year[year["复议诉讼结果"].isin(["维持", "纠错"])]
    expected = {
        "case_on_time_rate": year.groupby("主办人工号")["on_time"].mean(),
        "case_corrected_rate": (reviewed["复议诉讼结果"] == "纠错")
        .groupby(reviewed["主办人工号"])
        .mean(),
    }
    for code, rates in expected.items():
        mart = _df(
            read_con,
            "select staff_id, value from marts.fct_indicator_values where indicator_code = ? "
            "and period_type = 'year' and period_start = date '2025-01-01' and n > 0",
            [code],
        ).set_index("staff_id")["value"]
        common = rates.index.intersection(mart.index)
        assert len(common) >= 5, code
        np.testing.assert_allclose(
            mart[common].to_numpy(), rates[common].to_numpy(), atol=1e-9, err_msg=code
        )


def test_rates_are_shrunk_toward_the_category_mean_as_the_method_says(read_con):
    """value_adjusted = (successes + m·p₀) / (n + m), p₀ the category's pooled rate and m the
    settings seed's shrinkage strength, recomputed from the mart's raw values and n."""
    m = float(
        read_con.execute(
            "select value from seeds.settings where setting = 'shrinkage_m'"
        ).fetchall()[0][0]
    )
    rows = _df(
        read_con,
        "select role_category, period_start, value, n, value_adjusted "
        "from marts.fct_indicator_values where indicator_code = 'appr_on_time_rate' "
        "and period_type = 'quarter'",
    )
    rows["successes"] = rows["value"].fillna(0) * rows["n"]
    pooled = rows.groupby(["role_category", "period_start"])[["successes", "n"]].transform("sum")
    p0 = pooled["successes"] / pooled["n"]
    expected = (rows["successes"] + m * p0) / (rows["n"] + m)
    assert len(rows) >= 20 and rows["n"].gt(0).sum() >= 20
    np.testing.assert_allclose(rows["value_adjusted"], expected, atol=1e-9)
