"""A person's scores of each period type and their monthly trend are slices of one read of all
their score rows (`person_queries._score_rows`): each slice must be what a read of that type
alone gives, values and column types alike (a rank with no null in the slice stays integer,
whatever the person's other period types hold)."""

from __future__ import annotations

import pandas as pd

from warehouse import person_queries as pq
from warehouse.queries import PERIOD_TYPES
from warehouse.scope import Asker

LEADER = Asker("leader")


def _alone(read_con, columns: list[str], staff_id: str, period_type: str) -> pd.DataFrame:
    listed = ", ".join(columns)
    return (
        read_con.sql(
            f"""
        select {listed} from marts.fct_person_scores
        where staff_id = $staff_id and period_type = $period_type
        order by period_start
        """,
            params={"staff_id": staff_id, "period_type": period_type},
        )
        .to_arrow_table()
        .to_pandas()
    )


def test_each_period_types_scores_and_the_trend_are_what_their_own_reads_give(
    warehouse_path, read_con
):
    people = [
        row[0]
        for row in read_con.execute(
            "select distinct staff_id from marts.fct_person_scores order by staff_id"
        ).fetchall()
    ]
    # people whose ranks are all there in one period type and missing in another: the slices
    # of one read must still type them as reads of each type alone do
    mixed = read_con.execute(
        """
        select staff_id from marts.fct_person_scores
        group by staff_id
        having count(*) filter (where rank_in_category is null) > 0
           and bool_or(period_type = 'month' and rank_in_category is not null)
        """
    ).fetchall()
    assert people and mixed, "the sample warehouse has people with and without ranks"
    checked = [*people[:: max(1, len(people) // 25)], *(row[0] for row in mixed[:10]), "nobody"]
    typed = set()
    for staff_id in checked:
        for period_type in PERIOD_TYPES:
            found = pq.person_scores(warehouse_path, LEADER, staff_id, period_type)
            expected = _alone(read_con, list(found.columns), staff_id, period_type)
            pd.testing.assert_frame_equal(found, expected)
            typed.add(str(found["rank_in_category"].dtype))
        trend = pq.person_trend(warehouse_path, LEADER, staff_id)
        own = ["period_start", "role_category", "composite_score", "insufficient_data"]
        pd.testing.assert_frame_equal(trend[own], _alone(read_con, own, staff_id, "month"))
    assert len(typed) > 1, f"ranks typed alike in every slice: {typed}"
