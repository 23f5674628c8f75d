"""warehouse.queries against the built warehouse: right numbers, fresh after a swap."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from warehouse import queries
from warehouse.store import connect_write


def test_town_kpis_is_the_town_rows_pivoted(warehouse_path, read_con):
    kpis = queries.town_kpis(warehouse_path)
    assert list(kpis.columns) == ["period_start", *queries.SERVICE_METRICS]
    assert kpis["period_start"].is_monotonic_increasing
    long = read_con.execute(
        "select period_start, metric, value from marts.public_service_summary "
        "where scope_type = 'town'"
    ).fetchall()
    assert long, "the built town has service figures"
    by_month = kpis.set_index("period_start")
    for period_start, metric, value in long:
        assert by_month.loc[period_start, metric] == pytest.approx(value)


def test_settings_are_accepted_in_place_of_a_path(built_home, warehouse_path):
    from townperf.settings import get_settings

    pd.testing.assert_frame_equal(
        queries.town_kpis(get_settings(built_home)), queries.town_kpis(warehouse_path)
    )


def test_department_service_sums_counts_over_the_quarter(warehouse_path, read_con):
    (month,) = read_con.execute(
        "select max(period_start) from marts.public_service_summary where scope_type = 'department'"
    ).fetchone()
    quarter = pd.Timestamp(month).to_period("Q").start_time.date()
    expected = dict(
        read_con.execute(
            "select scope, sum(value) from marts.public_service_summary "
            "where scope_type = 'department' and metric = 'approvals_completed' "
            "and period_start >= ? and period_start < ? + interval 3 month group by scope",
            [quarter, quarter],
        ).fetchall()
    )
    service = queries.department_service(warehouse_path, "quarter", quarter).set_index("department")
    for department, total in expected.items():
        assert service.loc[department, "approvals_completed"] == pytest.approx(total)


def test_office_comparison_excludes_insufficient_data_from_averages(warehouse_path, read_con):
    (period,) = read_con.execute(
        "select max(period_start) from marts.fct_person_scores where period_type = 'year'"
    ).fetchone()
    offices = queries.office_comparison(warehouse_path, "year", period).set_index("department")
    rows = read_con.execute(
        "select department, count(*), avg(composite_score) filter (where not insufficient_data) "
        "from marts.fct_person_scores where period_type = 'year' and period_start = ? "
        "group by department",
        [period],
    ).fetchall()
    for department, staff, avg in rows:
        assert offices.loc[department, "staff"] == staff
        if avg is not None:
            assert offices.loc[department, "avg_composite"] == pytest.approx(avg)


def test_periods_indicator_medians_and_data_as_of(warehouse_path, read_con):
    months = queries.periods(warehouse_path, "month")
    assert months == sorted(months, reverse=True)
    medians = queries.indicator_medians(warehouse_path, "month", months[0])
    assert not medians.empty
    assert medians["name_en"].notna().all()
    (loaded_at,) = read_con.execute(
        "select max(loaded_at) from raw.loads where status = 'loaded'"
    ).fetchone()
    assert queries.data_as_of(warehouse_path) == loaded_at
    with pytest.raises(ValueError):
        queries.periods(warehouse_path, "week")


def test_missing_warehouse_is_reported_as_such(tmp_path):
    with pytest.raises(queries.WarehouseUnavailable):
        queries.town_kpis(tmp_path / "warehouse.duckdb")


def test_cache_serves_repeats_and_sees_a_swapped_file(
    dashboard_app, warehouse_path, tmp_path, monkeypatch
):
    served = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, served)
    calls = []
    real_query = queries._query
    monkeypatch.setattr(queries, "_query", lambda *a, **k: calls.append(a) or real_query(*a, **k))

    with dashboard_app.server.app_context():
        before = queries.town_kpis(served)
        again = queries.town_kpis(served)
        assert len(calls) == 1, "the second call is served from the cache"
        pd.testing.assert_frame_equal(before, again)

        # a refresh builds a new file beside the served one and swaps it in with os.replace
        work = tmp_path / "warehouse.duckdb.next"
        shutil.copyfile(served, work)
        con = connect_write(work)
        con.execute(
            "update marts.public_service_summary set value = value + 1000 "
            "where scope_type = 'town' and metric = 'approvals_completed'"
        )
        con.close()
        os.replace(work, served)

        after = queries.town_kpis(served)
    assert len(calls) == 2
    assert (after["approvals_completed"] - before["approvals_completed"]).tolist() == pytest.approx(
        [1000.0] * len(before)
    )
