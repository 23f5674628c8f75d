"""Every read the dashboard makes from the warehouse, as small named functions.

Each function takes the warehouse file (a path, or the `Settings` that name it) first and
returns a pandas DataFrame (or a scalar where that is the natural answer). Each call opens its
own short-lived read-only connection to the file as it is *now*, or shares the one of an open
`session` (the dashboard opens one per request): a refresh swaps in a new file with
`os.replace`. A session reads the file through a cursor on the process's one attachment of it,
kept while that file is the one served (`_Readers`).

Inside a Flask app on which `init_cache` was called, results are memoized with flask-caching,
keyed on the arguments *and* on the identity of the file (inode, mtime, size), so a swapped
warehouse is read fresh without anyone clearing the cache. In front of that shared cache (on
disk in production, so gunicorn's workers share it), each process keeps its most recent
results in memory (`_Recent`). Outside an app the functions simply run uncached, which is what
scripts and tests want.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import flask
import pandas as pd
import pyarrow as pa
from flask_caching import Cache

from warehouse.store import connect_read

if TYPE_CHECKING:
    from townperf.settings import Settings

CACHE_TIMEOUT_SECONDS = 600

# The town's monthly service figures, in the order the dashboard shows them.
SERVICE_METRICS = (
    "approvals_completed",
    "approvals_on_time_rate",
    "approvals_avg_working_days",
    "tickets_closed",
    "tickets_satisfaction_rate",
    "cases_closed",
)
COUNT_METRICS = ("approvals_completed", "tickets_closed", "cases_closed")
# A rate or mean over a longer period is the mean of the months weighted by the cases they
# are computed over.
WEIGHTED_METRICS = {
    "approvals_on_time_rate": "approvals_completed",
    "approvals_avg_working_days": "approvals_completed",
    "tickets_satisfaction_rate": "tickets_closed",
}
PERIOD_TYPES = ("month", "quarter", "year")

cache = Cache()

F = TypeVar("F", bound=Callable[..., Any])


class WarehouseUnavailable(Exception):
    """The warehouse file does not exist yet (nothing has been built)."""


def init_cache(server: flask.Flask, config: dict[str, Any] | None = None) -> None:
    """Attach the query cache to a Flask server (SimpleCache unless `config` says otherwise)."""
    cache.init_app(
        server,
        config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": CACHE_TIMEOUT_SECONDS}
        | (config or {}),
    )
    server.extensions[RECENT_KEY] = _Recent()


def clear_cache() -> None:
    """Forget every memoized result of the current app (e.g. after a refresh in-process)."""
    if flask.has_app_context():
        cache.clear()
        recent = flask.current_app.extensions.get(RECENT_KEY)
        if recent is not None:
            recent.clear()


class _Recent:
    """An app's most recently used query results, in memory, for `CACHE_TIMEOUT_SECONDS`.

    The shared cache is files in production: every memoized read opened one and unpickled
    a frame, about as long as a small query. Each caller gets its own shallow copy of a frame
    (pandas copies on write), so no caller can change what the next one reads. Sized for a
    county's drill-down: a few small frames per person viewed, next to the shared reads.
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return _MISSING
            self._items.move_to_end(key)
        return _fresh(item[1])

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + CACHE_TIMEOUT_SECONDS, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_MISSING = object()
RECENT_KEY = "townperf_recent_queries"


def _fresh(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_fresh(v) for v in value)
    return value


def warehouse_file(source: Path | str | Settings) -> Path:
    path = getattr(source, "warehouse_path", source)
    return Path(path)


def _file_identity(path: Path) -> str:
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WarehouseUnavailable(f"no warehouse at {path}") from exc
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


# What DuckDB warns of when a DB-API result is turned into Arrow (`_fetch` with `few_rows`).
warnings.filterwarnings(
    "ignore", message="Arrow output on a DB-API result makes an extra copy", category=UserWarning
)


def _fetch(con, sql: str, params: dict[str, Any] | None, few_rows: bool = False) -> pa.Table:
    """The rows as an Arrow table.

    `con.sql` builds a relation, binding the statement once to make it and again to run it;
    `con.execute` binds once but copies the rows once more on their way to Arrow. The copy
    costs more than the bind from about a thousand rows (157,000 rows: 50 against 40 ms), the
    bind more below (a person's reads: 3.8 against 4.2 ms each), so reads of a few rows
    (`few_rows`) take the DB-API way.
    """
    if few_rows:
        return con.execute(sql, params or None).to_arrow_table()
    return con.sql(sql, params=params or None).to_arrow_table()


class _Readers:
    """The warehouse files this process reads, each attached once and shared by its sessions.

    Attaching a file costs tens of milliseconds on a county warehouse (its catalog is read),
    more than most queries; a file that stays attached also keeps DuckDB's cache of its blocks.
    Each session gets a cursor of its own (a connection to the same database, safe to use
    beside the others' in other threads). A swapped-out file is closed once no session reads
    it, so its disk space is given back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[tuple[Path, str], list] = {}  # (path, identity) -> [connection, users]
        self._latest: dict[Path, str] = {}
        self._pid = os.getpid()

    def acquire(self, path: Path, identity: str) -> tuple[Any, tuple[Path, str]]:
        key = (path, identity)
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's connections are not ours
                self._open, self._latest, self._pid = {}, {}, os.getpid()
            entry = self._open.get(key)
            if entry is None:
                entry = self._open[key] = [connect_read(path), 0]
            entry[1] += 1
            self._latest[path] = identity
            cursor = entry[0].cursor()
        try:
            cursor.execute("use warehouse")
        except BaseException:
            self.release(cursor, key)
            raise
        return cursor, key

    def release(self, cursor, key: tuple[Path, str]) -> None:
        cursor.close()
        with self._lock:
            entry = self._open.get(key)
            if entry is not None:
                entry[1] -= 1
            for (path, identity), (con, users) in list(self._open.items()):
                if users == 0 and identity != self._latest.get(path):
                    del self._open[(path, identity)]
                    con.close()


_readers = _Readers()


class _Session:
    """One cursor on the file as it is now, taken when the first query needs it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.con = None
        self._key: tuple[Path, str] | None = None
        self._identity: str | None = None

    def identity(self) -> str:
        """The file's identity at the session's first look: one stat per request, not one per
        memoized read (a page's callback makes dozens)."""
        if self._identity is None:
            self._identity = _file_identity(self.path)
        return self._identity

    def fetch(self, sql: str, params: dict[str, Any] | None, few_rows: bool = False) -> pa.Table:
        if self.con is None:
            self.con, self._key = _readers.acquire(self.path, self.identity())
        return _fetch(self.con, sql, params, few_rows)

    def close(self) -> None:
        if self.con is not None:
            _readers.release(self.con, self._key)
            self.con = None


_session: ContextVar[_Session | None] = ContextVar("warehouse_session", default=None)


@contextlib.contextmanager
def session(source: Path | str | Settings) -> Iterator[None]:
    """Let the queries made inside share one read-only cursor on the file as it is now.

    The cursor is taken only if some query is not already memoized, and given back on leaving.
    Nested sessions use the outer one. The dashboard holds one per request: a refresh swapping
    the file mid-request never mixes two warehouses in one answer, and the next request reads
    the new file.
    """
    if _session.get() is not None:
        yield
        return
    current = _Session(warehouse_file(source))
    token = _session.set(current)
    try:
        yield
    finally:
        try:
            _session.reset(token)
        except ValueError:  # left from another context (a request's teardown)
            _session.set(None)
        current.close()


def _query(
    sql: str, path: Path, params: dict[str, Any] | None = None, few_rows: bool = False
) -> pd.DataFrame:
    """`sql`'s rows from the request's session, or from a connection of its own; `few_rows`
    when the read returns at most about a thousand rows (`_fetch`)."""
    return _query_arrow(sql, path, params, few_rows).to_pandas()


def _query_arrow(
    sql: str, path: Path, params: dict[str, Any] | None = None, few_rows: bool = False
) -> pa.Table:
    """`_query`'s rows as Arrow, for a caller that slices them before they become pandas."""
    current = _session.get()
    if current is not None and current.path == Path(path):
        return current.fetch(sql, params, few_rows)
    con = connect_read(path)
    try:
        return _fetch(con, sql, params, few_rows)
    finally:
        con.close()


def _sql_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _double_columns(names: tuple[str, ...]) -> str:
    return ", ".join(f"{name}::double as {name}" for name in names)


def warehouse_query(fn: F, shared: bool = True) -> F:
    """Make `fn(path, *args)` accept a path or Settings, and memoize it per warehouse file.

    `shared=False` keeps results in the process's recent results only, never in the shared
    cache: right for the many small per-person reads, where pickling each to disk cost more
    than reading it again (the answer cache already shares the finished view).
    """

    def run(path: str, identity: str, *args: Any) -> Any:
        return fn(Path(path), *args)

    # flask-caching names its keys after the function: give each wrapped query its own name.
    run.__name__ = fn.__name__
    run.__qualname__ = f"{fn.__qualname__}.cached"
    run.__module__ = fn.__module__
    memoized = cache.memoize()(run) if shared else run

    @functools.wraps(fn)
    def wrapper(source: Path | str | Settings, *args: Any) -> Any:
        path = warehouse_file(source)
        current = _session.get()
        identity = (
            current.identity()
            if current is not None and current.path == path
            else _file_identity(path)
        )
        if not (flask.has_app_context() and "cache" in flask.current_app.extensions):
            return fn(path, *args)
        recent = flask.current_app.extensions.get(RECENT_KEY)
        if recent is None:
            return memoized(str(path), identity, *args)
        key = (fn.__module__, fn.__qualname__, str(path), identity, *args)
        try:
            found = recent.get(key)
        except TypeError:  # an argument that cannot be a key: the shared cache only
            return memoized(str(path), identity, *args)
        if found is _MISSING:
            found = memoized(str(path), identity, *args)
            recent.put(key, found)
            found = _fresh(found)
        return found

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# -- town service figures ---------------------------------------------------------------------


TOWN_MONTHLY_SQL = f"""
    with monthly as (
        pivot (
            select period_start, metric, value
            from marts.public_service_summary
            where scope_type = 'town'
        )
        on metric in ({_sql_list(SERVICE_METRICS)})
        using first(value)
        group by period_start
    )
    select
        period_start,
        {_double_columns(SERVICE_METRICS)}
    from monthly
    order by period_start
"""


@warehouse_query
def town_kpis(path: Path) -> pd.DataFrame:
    """One row per month (period_start, ascending) with one column per service metric."""
    return _query(TOWN_MONTHLY_SQL, path)


@warehouse_query
def department_service(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per department with its service figures over the period.

    Counts are summed over the months of the period; rates and means are averaged over the
    months weighted by the cases each month's figure is computed over. Months in which a
    department's figure was suppressed (fewer than k contributors) are simply absent.
    """
    _check_period_type(period_type)
    aggregates = [f"sum({m})::double as {m}" for m in COUNT_METRICS] + [
        f"sum({m} * {w}) / nullif(sum(case when {m} is not null then {w} end), 0) as {m}"
        for m, w in WEIGHTED_METRICS.items()
    ]
    return _query(
        f"""
        with monthly as (
            pivot (
                select period_start, scope as department, metric, value
                from marts.public_service_summary
                where scope_type = 'department'
                  and date_trunc($period_type, period_start) = $period_start
            )
            on metric in ({_sql_list(SERVICE_METRICS)})
            using first(value)
            group by period_start, department
        ),
        typed as (
            select period_start, department, {_double_columns(SERVICE_METRICS)}
            from monthly
        ),
        per_period as (
            select
                department,
                {", ".join(aggregates)}
            from typed
            group by department
        )
        select department, {", ".join(SERVICE_METRICS)}
        from per_period
        order by department
        """,
        path,
        {"period_type": period_type, "period_start": period_start},
    )


# -- scores -----------------------------------------------------------------------------------


@warehouse_query
def periods(path: Path, period_type: str) -> list[date]:
    """The periods of this type that have person scores, newest first."""
    _check_period_type(period_type)
    df = _query(
        """
        select distinct period_start
        from marts.fct_person_scores
        where period_type = $period_type
        order by period_start desc
        """,
        path,
        {"period_type": period_type},
    )
    return [pd.Timestamp(d).date() for d in df["period_start"]]


@warehouse_query
def office_comparison(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per department: staff assessed, staff scored and their composite scores.

    People flagged `insufficient_data` are counted as assessed but do not enter the averages.
    `is_complete_period` is false when the data cover only part of the period (the current
    quarter or year, or the first one of the data).
    """
    _check_period_type(period_type)
    return _query(
        """
        select
            department,
            count(*) as staff,
            count(composite_score) filter (where not insufficient_data) as scored,
            avg(composite_score) filter (where not insufficient_data) as avg_composite,
            median(composite_score) filter (where not insufficient_data) as median_composite,
            min(composite_score) filter (where not insufficient_data) as min_composite,
            max(composite_score) filter (where not insufficient_data) as max_composite,
            bool_and(is_complete_period) as is_complete_period
        from marts.fct_person_scores
        where period_type = $period_type
          and period_start = $period_start
        group by department
        order by avg_composite desc nulls last, department
        """,
        path,
        {"period_type": period_type, "period_start": period_start},
    )


@warehouse_query
def indicator_medians(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per job category × indicator: the median value and score of the period.

    Only people with sufficient data for the indicator count; `people` says how many did.
    """
    _check_period_type(period_type)
    return _query(
        """
        select
            v.role_category,
            v.indicator_code,
            i.name_zh,
            i.name_en,
            i.unit,
            i.kind,
            i.direction,
            count(*) as people,
            median(v.value) as median_value,
            median(v.score) as median_score
        from marts.fct_indicator_values as v
        inner join marts.dim_indicators as i using (indicator_code)
        where v.period_type = $period_type
          and v.period_start = $period_start
          and v.is_sufficient
        group by all
        order by v.role_category, v.indicator_code
        """,
        path,
        {"period_type": period_type, "period_start": period_start},
    )


@warehouse_query
def indicators(path: Path) -> pd.DataFrame:
    """The indicator catalog: code, names in both languages, direction, unit and kind."""
    return _query(
        """
        select indicator_code, name_zh, name_en, direction, unit, kind
        from marts.dim_indicators
        order by indicator_code
        """,
        path,
    )


# -- freshness --------------------------------------------------------------------------------


@warehouse_query
def data_as_of(path: Path) -> datetime | None:
    """When the newest data in the warehouse was loaded (None before any file was loaded)."""
    df = _query("select max(loaded_at) as loaded_at from raw.loads where status = 'loaded'", path)
    value = df["loaded_at"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _check_period_type(period_type: str) -> None:
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"period_type must be one of {PERIOD_TYPES}, not {period_type!r}")


# -- accounts -------------------------------------------------------------------------------


def demo_people(path: Path) -> tuple[str, str]:
    """A current civil servant with a complete record, and the office with most such people:
    the demo's staff and office-head accounts see real figures."""
    frame = _query(
        """
        select staff_id, department
        from marts.fct_person_scores
        where period_type = 'year' and not insufficient_data
            and staff_type in ('公务员', '参公') and role_category = '审批'
        order by period_start desc, rank_in_category
        limit 1
        """,
        warehouse_file(path),
    )
    if frame.empty:
        raise WarehouseUnavailable("no scored person in the warehouse for the demo accounts")
    return str(frame.staff_id.iloc[0]), str(frame.department.iloc[0])


# -- assessment results -----------------------------------------------------------------------


@warehouse_query
def grade_distribution(path: Path) -> pd.DataFrame:
    """Per unit, for the latest complete year: civil servants assessed, the 优秀 quota, and how
    many were recommended and finally graded at each grade."""
    return _query(
        """
        with
        latest as (
            select max(period_start) as year
            from marts.fct_person_scores
            where period_type = 'year' and is_complete_period
        ),
        quota as (
            select cast(value as double) as share
            from seeds.settings where setting = 'excellent_quota'
        ),
        assessed as (
            select s.unit, s.staff_id, s.grade_recommendation
            from marts.fct_person_scores as s, latest
            where s.period_type = 'year' and s.period_start = latest.year
              and s.staff_type in ('公务员', '参公')
        ),
        finals as (
            select distinct r.staff_id, r.final_grade
            from marts.fct_result_utilization as r, latest
            where r.period_type = 'year' and r.period_start = latest.year
              and r.final_grade is not null
        )
        select
            latest.year as period_start,
            assessed.unit,
            count(*) as assessed,
            floor(any_value(quota.share) * count(*))::integer as excellent_quota,
            count_if(assessed.grade_recommendation = '优秀') as recommended_excellent,
            count_if(finals.final_grade = '优秀') as final_excellent,
            count_if(finals.final_grade = '称职') as final_competent,
            count_if(finals.final_grade = '基本称职') as final_basic,
            count_if(finals.final_grade = '不称职') as final_incompetent,
            count_if(finals.final_grade is null) as final_pending
        from assessed
        cross join latest
        cross join quota
        left join finals on assessed.staff_id = finals.staff_id
        group by latest.year, assessed.unit
        order by assessed.unit
        """,
        path,
    )


@warehouse_query
def utilization_status(path: Path) -> pd.DataFrame:
    """For the latest complete year: decisions recorded, applied, overdue, not notified in
    writing, recommendations still undecided, and open review or appeal requests."""
    return _query(
        """
        with
        latest as (
            select max(period_start) as year
            from marts.fct_person_scores
            where period_type = 'year' and is_complete_period
        ),
        results as (
            select r.*
            from marts.fct_result_utilization as r, latest
            where r.period_type = 'year' and r.period_start = latest.year
        )
        select
            (select year from latest) as period_start,
            count_if(action is not null) as actions,
            count_if(action is not null and applied_on is not null) as applied,
            count_if(is_overdue) as overdue,
            count(distinct case when is_not_notified then staff_id end) as not_notified,
            count_if(final_grade is null) as undecided,
            (select count(*) from marts.fct_feedback where is_open and kind != '绩效面谈')
                as open_requests
        from results
        """,
        path,
    )
