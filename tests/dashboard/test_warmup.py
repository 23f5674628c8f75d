"""The warm-up memoizes the slowest pages' default queries before their first reader."""

from __future__ import annotations

from pathlib import Path

from dashboard.app import create_app
from dashboard.context import SETTINGS_KEY
from dashboard.warmup import warm_once
from tests.dashboard.conftest import page_module, reads_the_warehouse
from townperf import users
from townperf.settings import get_settings
from warehouse import queries


def _audit_rows(home: Path) -> int:
    con = users._connect(home)
    try:
        return con.execute("select count(*) from audit_log").fetchone()[0]
    finally:
        con.close()


def _opens_the_warehouse(server, render) -> bool:
    """Whether rendering had to open the warehouse (some query was not memoized)."""
    path = server.config[SETTINGS_KEY].warehouse_path
    with server.app_context():
        return reads_the_warehouse(path, lambda: render(path))


def test_the_default_views_of_results_and_data_are_memoized_without_auditing(built_home):
    def results_default(path: Path) -> None:
        results = page_module("/results")
        periods = results.rq.result_periods(path)
        _, period = results.period_options(periods, results._period_types(periods)[0], "zh")
        results.sections(path, period, "zh")

    def data_default(path: Path) -> None:
        data = page_module("/data")
        for query in (data.rq.loads, data.rq.source_freshness, data.rq.unattributed):
            query(path)
        data.rq.quarantine(path, None, None)

    cold = create_app(get_settings(built_home)).server
    assert _opens_the_warehouse(cold, results_default)  # the control: a cold app reads the file

    server = create_app(get_settings(built_home)).server
    audited = _audit_rows(built_home)
    warmed = warm_once(server)

    assert {"pages.results", "pages.data"} <= set(warmed)
    assert not _opens_the_warehouse(server, results_default)
    assert not _opens_the_warehouse(server, data_default)
    assert _audit_rows(built_home) == audited  # nobody viewed anything


def test_every_period_of_the_overview_and_of_the_rankings_is_memoized(built_home):
    """Past the default view: a leader stepping back to the oldest quarter of the overview, or
    to an office's ranking in the oldest year, meets no cold query after a warm-up."""
    from warehouse import person_queries as pq
    from warehouse.scope import Asker

    overview = page_module("/")

    def oldest_quarter_of_the_overview(path: Path) -> None:
        first_month = min(queries.town_kpis(path)["period_start"])
        quarter = overview.period_containing("quarter", first_month)
        overview.comparison(path, "quarter", quarter, "en")

    def an_office_ranking_in_the_oldest_year(path: Path) -> None:
        year = pq.score_periods(path, "year")["period_start"].iloc[-1]
        category = pq.role_categories(path)["role_category"].iloc[-1]
        office = pq.scored_offices(path)[-1]
        hr = Asker("hr")
        pq.rankings(path, hr, "year", year, category, office)
        pq.composite_histogram(path, hr, "year", year, category, office)

    views = (oldest_quarter_of_the_overview, an_office_ranking_in_the_oldest_year)
    cold = create_app(get_settings(built_home)).server
    assert all(_opens_the_warehouse(cold, view) for view in views)  # the control

    server = create_app(get_settings(built_home)).server
    audited = _audit_rows(built_home)
    assert {"pages.overview", "pages.rankings", "pages.people"} <= set(warm_once(server))
    assert not any(_opens_the_warehouse(server, view) for view in views)
    assert _audit_rows(built_home) == audited
