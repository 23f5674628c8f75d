"""The records behind a person's figures: the period's rows of the records mart, newest first,
with how many there are in all even when the grid's limit cuts them."""

from __future__ import annotations

import pytest

from warehouse import person_queries as pq
from warehouse.scope import Asker

LEADER = Asker("leader")


@pytest.fixture(scope="module")
def busiest(warehouse_path) -> tuple[str, object, list[str]]:
    """The person and quarter with most records, and those records' numbers."""
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    try:
        sid, start = con.execute(
            """
            select staff_id, date_trunc('quarter', month_start)::date as quarter
            from marts.fct_indicator_records
            group by all
            order by count(*) desc, staff_id
            limit 1
            """
        ).fetchone()
        numbers = [
            row[0]
            for row in con.execute(
                """
                select record_no from marts.fct_indicator_records
                where staff_id = ? and date_trunc('quarter', month_start) = ?
                """,
                [sid, start],
            ).fetchall()
        ]
    finally:
        con.close()
    return sid, start, numbers


@pytest.mark.parametrize("cut", [None, "under", "exact", "over"])
def test_records_count_every_row_whatever_the_limit_shows(warehouse_path, busiest, cut):
    sid, start, numbers = busiest
    n = len(numbers)
    assert n > 20
    limit = {None: None, "under": n - 7, "exact": n, "over": n + 7}[cut]
    found = pq.indicator_records(warehouse_path, LEADER, sid, "quarter", start, None, limit)
    assert len(found) == min(n, limit or n)
    assert set(found["total"]) == {n}
    assert set(found["record_no"]) <= set(numbers)
    finished = found["finished_at"].dropna()
    assert finished.is_monotonic_decreasing


def test_a_period_without_records_has_none(warehouse_path, busiest):
    sid, start, _ = busiest
    found = pq.indicator_records(
        warehouse_path, LEADER, sid, "quarter", start.replace(year=start.year - 20), None
    )
    assert found.empty and "total" in found.columns
