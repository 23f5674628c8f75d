"""Memoized reads inside an app: each app keeps its recent results in memory, a caller cannot
change what the next one reads, and a category read once answers every office's view of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import flask
import pandas as pd
import pytest

from warehouse import person_queries as pq
from warehouse import queries
from warehouse.scope import Asker

LEADER = Asker("leader")


def _app() -> flask.Flask:
    server = flask.Flask(__name__)
    queries.init_cache(server)
    return server


def _reads_the_file(server: flask.Flask, path: Path, read) -> bool:
    with server.app_context(), queries.session(path):
        read()
        return queries._session.get().con is not None


@pytest.fixture(scope="module")
def quarter(warehouse_path) -> tuple[date, str]:
    from warehouse.store import connect_read

    con = connect_read(warehouse_path)
    try:
        return con.execute(
            """
            select period_start, role_category
            from marts.fct_person_scores
            where period_type = 'quarter' and not insufficient_data
            group by all
            order by count(distinct department) desc, period_start desc, role_category
            limit 1
            """
        ).fetchone()
    finally:
        con.close()


def test_results_are_kept_per_app_and_handed_out_as_copies(warehouse_path, quarter):
    start, category = quarter

    def read():
        return pq.rankings(warehouse_path, LEADER, "quarter", start, category)

    server = _app()
    assert _reads_the_file(server, warehouse_path, read)  # the first read runs the query
    with server.app_context(), queries.session(warehouse_path):
        first = read()
        first.loc[0, "name"] = "changed by a caller"
        del first["composite_score"]
        second = read()
        assert queries._session.get().con is None  # answered from memory
    assert second.loc[0, "name"] != "changed by a caller"
    assert "composite_score" in second.columns

    # another app has its own memory: its first read runs the query
    assert _reads_the_file(_app(), warehouse_path, read)
    # and clearing an app's cache clears its memory too
    with server.app_context():
        queries.clear_cache()
    assert _reads_the_file(server, warehouse_path, read)


def test_a_persons_reads_stay_in_the_processs_memory(warehouse_path, quarter):
    """Per-person reads are not written to the shared cache (on disk in production): once the
    process forgets them they are read again, while a shared read comes back from the cache."""
    start, category = quarter
    sid = pq.rankings(warehouse_path, LEADER, "quarter", start, category)["staff_id"].iloc[0]

    def person():
        return pq.person_period(warehouse_path, LEADER, sid, "quarter", start)

    def ranking():
        return pq.rankings(warehouse_path, LEADER, "quarter", start, category)

    server = _app()
    for read in (person, ranking):
        assert _reads_the_file(server, warehouse_path, read)
        assert not _reads_the_file(server, warehouse_path, read)  # kept in memory
    server.extensions[queries.RECENT_KEY].clear()
    assert _reads_the_file(server, warehouse_path, person)
    assert not _reads_the_file(server, warehouse_path, ranking)  # from the shared cache


def test_an_offices_ranking_and_bands_are_the_offices_rows(warehouse_path, read_con, quarter):
    """The office is a filter of the memoized category: checked against the mart directly."""
    start, category = quarter
    counts = read_con.execute(
        """
        select department, least(floor(composite_score / 10) * 10, 90) as band, count(*)
        from marts.fct_person_scores
        where period_type = 'quarter' and period_start = ? and role_category = ?
          and not insufficient_data and composite_score is not null
        group by all
        """,
        [start, category],
    ).fetchall()
    offices = sorted({department for department, _, _ in counts})
    assert len(offices) >= 2
    server = _app()
    with server.app_context():
        for office in [*offices, None]:
            ranked = pq.rankings(warehouse_path, LEADER, "quarter", start, category, office)
            staff = read_con.execute(
                """
                select staff_id from marts.fct_person_scores
                where period_type = 'quarter' and period_start = ? and role_category = ?
                  and (? is null or department = ?)
                """,
                [start, category, office, office],
            ).fetchall()
            assert sorted(ranked["staff_id"]) == sorted(s for (s,) in staff), office
            assert list(ranked.index) == list(range(len(ranked)))
            bands = pq.composite_histogram(
                warehouse_path, LEADER, "quarter", start, category, office
            )
            expected = {b: 0 for b in range(0, 100, 10)}
            for department, band, n in counts:
                if office is None or department == office:
                    expected[int(band)] += n
            got = dict(zip(bands["bin_start"].astype(int), bands["people"], strict=True))
            assert got == expected, office
            assert list(bands["bin_end"] - bands["bin_start"]) == [10.0] * 10


def test_a_persons_trend_sits_beside_the_categorys_monthly_median(warehouse_path, read_con):
    """The category medians are read once for everyone's trend: checked against the mart."""
    people = [
        sid
        for (sid,) in read_con.execute(
            "select distinct staff_id from marts.fct_person_scores "
            "where period_type = 'month' order by staff_id limit 5"
        ).fetchall()
    ]
    server = _app()
    with server.app_context():
        for sid in people:
            trend = pq.person_trend(warehouse_path, LEADER, sid)
            expected = read_con.execute(
                """
                select mine.period_start, (
                    select median(s.composite_score) from marts.fct_person_scores as s
                    where s.period_type = 'month' and s.period_start = mine.period_start
                      and s.role_category = mine.role_category and not s.insufficient_data
                )
                from marts.fct_person_scores as mine
                where mine.staff_id = ? and mine.period_type = 'month'
                order by mine.period_start
                """,
                [sid],
            ).fetchall()
            months = [pd.Timestamp(d).date() for d in trend["period_start"]]
            assert months == [d for d, _ in expected]
            for (_, median), got in zip(expected, trend["category_median"], strict=True):
                assert (median is None and pd.isna(got)) or got == pytest.approx(median)
