"""The warehouse reads of the report pages: result utilization, the public summary, the
methodology (with its what-if weights) and the data status.

Same contract as `warehouse.queries`: the warehouse file first, a DataFrame back, one short
read-only connection per call, memoized per file identity inside the app.

The public page may read nothing but the `marts.public_*` tables: its functions go through
`_public_query`, which refuses any SQL naming another table, so a later edit cannot leak a name
or an id onto a page anyone can open.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from warehouse.queries import (
    SERVICE_METRICS,
    TOWN_MONTHLY_SQL,
    _check_period_type,
    _double_columns,
    _query,
    _sql_list,
    warehouse_query,
)
from warehouse.store import connect_read

if TYPE_CHECKING:
    from townperf.settings import Settings

# The seeds the methodology page is generated from, as dbt loads them into schema `seeds`.
SEED_TABLES = (
    "indicators",
    "indicator_weights",
    "role_categories",
    "settings",
    "matter_weights",
    "procedure_weights",
    "grade_eligibility",
    "grade_consequences",
)
FEEDBACK_TALK = "绩效面谈"
REVIEW_REQUEST = "复核申请"
REVIEW_KINDS = (REVIEW_REQUEST, "申诉")
BONUS_ACTION = "绩效奖金"
QUARANTINE_SHOWN = 500

_LATEST_STAFF = """
    latest_staff as (
        select staff_id, name, department
        from marts.dim_staff
        qualify row_number() over (
            partition by staff_id order by valid_from desc, version_no desc
        ) = 1
    )
"""
_PERIOD = "period_type = $period_type and period_start = $period_start"


def _period(period_type: str, period_start: date) -> dict[str, Any]:
    _check_period_type(period_type)
    return {"period_type": period_type, "period_start": period_start}


# -- result utilization -----------------------------------------------------------------------


@warehouse_query
def result_periods(path: Path) -> pd.DataFrame:
    """Periods with assessment results (decided or only recommended), newest first."""
    return _query(
        """
        select
            period_type,
            period_start,
            count(distinct staff_id) as people,
            count(final_grade) as decisions
        from marts.fct_result_utilization
        group by period_type, period_start
        order by period_start desc, period_type desc
        """,
        path,
    )


@warehouse_query
def setting_value(path: Path, setting: str) -> float | None:
    """One numeric setting of the settings seed (e.g. apply_overdue_days)."""
    df = _query(
        "select try_cast(value as double) as value from seeds.settings where setting = $setting",
        path,
        {"setting": setting},
    )
    return None if df.empty or pd.isna(df["value"].iloc[0]) else float(df["value"].iloc[0])


@warehouse_query
def grade_crosstab(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """People per recommended grade × final grade; null: no recommendation / not yet decided."""
    return _query(
        f"""
        with people as (
            select
                staff_id,
                any_value(recommended_grade) as recommended_grade,
                any_value(final_grade) as final_grade
            from marts.fct_result_utilization
            where {_PERIOD}
            group by staff_id
        )
        select recommended_grade, final_grade, count(*) as people
        from people
        group by all
        order by all
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def actions_applied(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per final grade × action recorded: decisions, how many applied and how fast."""
    return _query(
        f"""
        select
            final_grade,
            action,
            count(*) as decisions,
            count(applied_on) as applied,
            median(days_to_apply) as median_days,
            max(days_to_apply) as max_days,
            sum(amount) as amount
        from marts.fct_result_utilization
        where {_PERIOD} and action is not null
        group by final_grade, action
        order by final_grade, action
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def consequence_checks(path: Path, period_start: date) -> pd.DataFrame:
    """Each consequence a person's annual grade calls for (seed grade_consequences): due, or
    barred (a bonus for 基本称职), whether a decision applying it was recorded, and whether that
    is wrong (due and not applied, barred and applied); the wrong ones first."""
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            c.staff_id,
            latest_staff.name,
            coalesce(s.department, latest_staff.department) as department,
            c.final_grade,
            c.expected_action,
            c.expectation,
            c.condition_zh,
            c.condition_en,
            c.source,
            c.was_applied,
            c.is_wrong,
            c.applied_on
        from marts.fct_consequence_checks as c
        left join latest_staff using (staff_id)
        left join marts.fct_person_scores as s
            on s.staff_id = c.staff_id
            and s.period_type = 'year'
            and s.period_start = c.period_start
        where c.period_start = $period_start
        order by c.is_wrong desc, c.expectation desc, c.expected_action, department, c.staff_id
        """,
        path,
        {"period_start": period_start},
    )


@warehouse_query
def results_detail(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """Every result row of the period with the person's name and office.

    `is_late` is the mart's `is_overdue` (applied, or still not applied, more than the
    apply_overdue_days setting after the period ended) restricted to rows with something to
    apply: a decision with an action, or a recommendation still waiting for a decision. A
    decision that applies nothing (e.g. a quarterly 一般) cannot be late.
    """
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            r.staff_id,
            latest_staff.name,
            coalesce(s.department, latest_staff.department) as department,
            r.period_label,
            r.period_end,
            r.recommended_grade,
            r.final_grade,
            r.action,
            r.amount,
            r.notified_on,
            r.decided_on,
            r.applied_on,
            r.days_to_apply,
            datediff('day', r.period_end, current_date) as days_since_period,
            r.is_overdue and (r.action is not null or r.final_grade is null) as is_late,
            r.is_not_notified,
            r.source_file,
            r.source_row
        from marts.fct_result_utilization as r
        left join latest_staff using (staff_id)
        left join marts.fct_person_scores as s
            on s.staff_id = r.staff_id
            and s.period_type = r.period_type
            and s.period_start = r.period_start
        where r.period_type = $period_type and r.period_start = $period_start
        order by department, r.staff_id, r.action
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def pay_and_scores(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per person paid a performance bonus for the period, with their composite."""
    return _query(
        f"""
        with {_LATEST_STAFF},
        bonus as (
            select staff_id, sum(amount) as amount
            from marts.fct_result_utilization
            where {_PERIOD} and action = '{BONUS_ACTION}' and amount is not null
            group by staff_id
        )
        select
            bonus.staff_id,
            latest_staff.name,
            coalesce(s.department, latest_staff.department) as department,
            s.role_category,
            s.composite_score,
            bonus.amount
        from bonus
        left join latest_staff using (staff_id)
        left join marts.fct_person_scores as s
            on s.staff_id = bonus.staff_id
            and s.period_type = $period_type
            and s.period_start = $period_start
        order by s.composite_score desc nulls last
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def feedback_coverage(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """One row per person assessed in the period (a final grade recorded) and whether a
    feedback talk (绩效面谈) of that period was held with them."""
    return _query(
        f"""
        with {_LATEST_STAFF},
        assessed as (
            select distinct staff_id
            from marts.fct_result_utilization
            where {_PERIOD} and final_grade is not null
        ),
        talks as (
            select staff_id, min(held_on) as held_on
            from marts.fct_feedback
            where {_PERIOD} and kind = '{FEEDBACK_TALK}'
            group by staff_id
        )
        select
            assessed.staff_id,
            latest_staff.name,
            talks.held_on,
            talks.staff_id is not null as has_talk
        from assessed
        left join talks using (staff_id)
        left join latest_staff using (staff_id)
        order by has_talk, assessed.staff_id
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def review_requests(path: Path, period_type: str, period_start: date) -> pd.DataFrame:
    """Review requests and appeals of the period, and every one still open whatever its
    period, with their legal clocks: whether a review was asked for within the days allowed
    after the written notice (`is_request_late`), and the deadline for deciding it (days left
    is negative once past it)."""
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            f.staff_id,
            latest_staff.name,
            f.period_label,
            f.kind,
            f.notified_on,
            f.request_due_on,
            f.is_request_late,
            f.held_on,
            f.legal_days,
            f.due_on,
            f.resolved_on,
            f.outcome,
            f.days_open,
            f.is_open,
            f.is_late,
            case when f.is_open then datediff('day', current_date, f.due_on) end as days_left
        from marts.fct_feedback as f
        left join latest_staff using (staff_id)
        where f.kind in ({_sql_list(REVIEW_KINDS)})
          and ((f.period_type = $period_type and f.period_start = $period_start) or f.is_open)
        order by f.is_open desc, f.held_on desc
        """,
        path,
        _period(period_type, period_start),
    )


@warehouse_query
def review_windows(path: Path) -> pd.DataFrame:
    """People who may still ask for a review of an annual result (notified in writing less than
    review_request_days ago), whatever the period shown, with the days left and whether they
    already asked; the windows closing first come first."""
    return _query(
        f"""
        with {_LATEST_STAFF},
        windows as (
            select
                staff_id,
                period_type,
                period_start,
                any_value(period_label) as period_label,
                any_value(final_grade) as final_grade,
                min(notified_on) as notified_on,
                min(review_request_due_on) as request_due_on
            from marts.fct_result_utilization
            where is_review_window_open
            group by staff_id, period_type, period_start
        ),
        requested as (
            select distinct staff_id, period_type, period_start
            from marts.fct_feedback
            where kind = '{REVIEW_REQUEST}'
        )
        select
            w.staff_id,
            latest_staff.name,
            latest_staff.department,
            w.period_label,
            w.final_grade,
            w.notified_on,
            w.request_due_on,
            datediff('day', current_date, w.request_due_on) as days_left,
            requested.staff_id is not null as has_requested
        from windows as w
        left join latest_staff using (staff_id)
        left join requested using (staff_id, period_type, period_start)
        order by w.request_due_on, w.staff_id
        """,
        path,
    )


# -- public summary (marts.public_* only) -----------------------------------------------------

_TABLE_REF = re.compile(r"\b(?:from|join)\s+([\w.\"]+)", re.IGNORECASE)


class NotPublic(Exception):
    """A query of the public page named a table that is not a public mart."""


def _public_query(sql: str, path: Path, params: dict[str, Any] | None = None) -> pd.DataFrame:
    for table in _TABLE_REF.findall(sql):
        name = table.replace('"', "").lower()
        if not name.startswith("marts.public_") and name not in _cte_names(sql):
            raise NotPublic(f"the public page may only read marts.public_*, not {table}")
    return _query(sql, path, params)


def _cte_names(sql: str) -> set[str]:
    return {m.lower() for m in re.findall(r"\b(\w+)\s+as\s*\(", sql, re.IGNORECASE)}


@warehouse_query
def public_town_monthly(path: Path) -> pd.DataFrame:
    """The town's service figures, one row per month (ascending), one column per metric."""
    return _public_query(TOWN_MONTHLY_SQL, path)


@warehouse_query
def public_office_month(path: Path, period_start: date) -> pd.DataFrame:
    """The offices' service figures of one month: only the rows the mart publishes (an office
    figure with fewer than k contributors is not in the mart at all)."""
    return _public_query(
        f"""
        with monthly as (
            pivot (
                select scope as office, metric, value
                from marts.public_service_summary
                where scope_type = 'department' and period_start = $period_start
            )
            on metric in ({_sql_list(SERVICE_METRICS)})
            using first(value)
            group by office
        )
        select office, {_double_columns(SERVICE_METRICS)}
        from monthly
        order by office
        """,
        path,
        {"period_start": period_start},
    )


# -- methodology ------------------------------------------------------------------------------


@warehouse_query
def seed_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Every seed of the scoring method as the warehouse holds it (what the SQL used)."""
    con = connect_read(path)
    try:
        return {
            name: con.sql(f"select * from seeds.{name}").to_arrow_table().to_pandas()
            for name in SEED_TABLES
        }
    finally:
        con.close()


def seed_tables_from_files(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """The same seeds read from the dbt project's CSV files (before any warehouse is built)."""
    if folder is None:
        from townperf.settings import DBT_PROJECT_DIR

        folder = DBT_PROJECT_DIR / "seeds"
    return {name: pd.read_csv(folder / f"{name}.csv", dtype={"value": str}) for name in SEED_TABLES}


@warehouse_query
def whatif_periods(path: Path) -> pd.DataFrame:
    """Years with person scores, newest first, and whether the data cover the whole year."""
    return _query(
        """
        select period_start, bool_and(is_complete_period) as is_complete
        from marts.fct_person_scores
        where period_type = 'year'
        group by period_start
        order by period_start desc
        """,
        path,
    )


@warehouse_query
def whatif_scores(
    path: Path, role_category: str, period_type: str, period_start: date
) -> pd.DataFrame:
    """The indicator scores of one category and period, one row per person × indicator
    (score null where the indicator has no score)."""
    return _query(
        """
        select staff_id, indicator_code, score
        from marts.fct_indicator_values
        where role_category = $role_category
          and period_type = $period_type
          and period_start = $period_start
        order by staff_id, indicator_code
        """,
        path,
        {"role_category": role_category, **_period(period_type, period_start)},
    )


@warehouse_query
def whatif_current(
    path: Path, role_category: str, period_type: str, period_start: date
) -> pd.DataFrame:
    """The people of one category and period as the warehouse scores and ranks them now."""
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            s.staff_id,
            latest_staff.name,
            s.department,
            s.composite_score,
            s.insufficient_data,
            s.rank_in_category
        from marts.fct_person_scores as s
        left join latest_staff using (staff_id)
        where s.role_category = $role_category
          and s.period_type = $period_type
          and s.period_start = $period_start
        order by s.rank_in_category nulls last, s.staff_id
        """,
        path,
        {"role_category": role_category, **_period(period_type, period_start)},
    )


# -- data status ------------------------------------------------------------------------------


def refresh_history(settings: Settings) -> pd.DataFrame:
    """Every refresh of the data home, newest first (not cached: a run may be going on)."""
    from townperf.pipeline import read_history

    columns = [
        "run_id",
        "started_at",
        "finished_at",
        "status",
        "files_loaded",
        "files_skipped",
        "files_refused",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "expectations_passed",
        "expectations_failed",
        "dbt_status",
        "dbt_nodes",
        "swapped",
        "seconds",
        "problems",
        "error",
    ]
    runs = read_history(settings)
    frame = pd.DataFrame(runs).reindex(columns=columns)
    frame["problems"] = [
        "；".join(map(str, p)) if isinstance(p, list) else None for p in frame["problems"]
    ]
    return frame


@warehouse_query
def loads(path: Path) -> pd.DataFrame:
    """Every file loaded or refused, newest first, with its row counts."""
    return _query(
        """
        select
            load_id, load_seq, file_name, source, encoding, status, message,
            rows_read, rows_loaded, rows_quarantined, loaded_at
        from raw.loads
        order by loaded_at desc, load_seq desc
        """,
        path,
    )


@warehouse_query
def validation_results(path: Path, source: str | None, file_name: str | None) -> pd.DataFrame:
    """The expectations checked on each file, the failed ones first."""
    return _query(
        """
        select file_name, source, expectation, message, success, unexpected_count
        from raw.validation_results
        where ($source is null or source = $source)
          and ($file_name is null or file_name = $file_name)
        order by success, file_name, expectation
        """,
        path,
        {"source": source, "file_name": file_name},
    )


@warehouse_query
def quarantine(
    path: Path, source: str | None, file_name: str | None, limit: int | None = QUARANTINE_SHOWN
) -> tuple[pd.DataFrame, int]:
    """Quarantined rows with their reason and original values (at most `limit`), and the total."""
    params = {"source": source, "file_name": file_name}
    where = """
        where ($source is null or source = $source)
          and ($file_name is null or file_name = $file_name)
    """
    total = _query(f"select count(*) as n from raw.quarantine {where}", path, params)
    rows = _query(
        f"""
        select file_name, source, row_number, line_number, reason, original_values
        from raw.quarantine
        {where}
        order by file_name, row_number
        {"limit " + str(int(limit)) if limit else ""}
        """,
        path,
        params,
    )
    return rows, int(total["n"].iloc[0])


@warehouse_query
def quarantine_reasons(path: Path, source: str | None, file_name: str | None) -> pd.DataFrame:
    """Quarantined rows per source and kind of reason (the reason up to its quoted value)."""
    return _query(
        """
        select
            source,
            -- the reason without the value or row it quotes
            trim(regexp_replace(reason, '(:\\s*''.*$)|(\\s+\\d+$)', '')) as reason_kind,
            count(*) as rows
        from raw.quarantine
        where ($source is null or source = $source)
          and ($file_name is null or file_name = $file_name)
        group by all
        order by rows desc, source
        """,
        path,
        {"source": source, "file_name": file_name},
    )


@warehouse_query
def source_freshness(path: Path) -> pd.DataFrame:
    """Per source: files, rows, the latest load and the date of the newest record loaded."""
    return _query(
        """
        with latest_record as (
            select 'staff' as source, max(as_of)::date as latest_record
            from staging.stg_staff__roster
            union all
            select 'approvals', max(coalesce(completed_at, received_at))::date
            from staging.stg_approvals__cases
            union all
            select 'tickets', max(coalesce(closed_at, created_at))::date
            from staging.stg_tickets__tickets
            union all
            select 'cases', max(coalesce(closed_on, decided_on, filed_on))::date
            from staging.stg_cases__cases
            union all
            select 'tasks', max(assigned_on)::date from staging.stg_tasks__tasks
            union all
            select 'ratings', max(period_start)::date from staging.stg_ratings__ratings
            union all
            select 'actions', max(coalesce(applied_on, decided_on))::date
            from staging.stg_actions__decisions
            union all
            select 'feedback', max(coalesce(resolved_on, held_on))::date
            from staging.stg_feedback__talks
        ),
        per_source as (
            select
                source,
                count(*) filter (where status = 'loaded') as files,
                count(*) filter (where status != 'loaded') as files_not_loaded,
                sum(rows_loaded) as rows_loaded,
                sum(rows_quarantined) as rows_quarantined,
                max(loaded_at) filter (where status = 'loaded') as last_loaded_at
            from raw.loads
            group by source
        )
        select
            coalesce(per_source.source, latest_record.source) as source,
            coalesce(per_source.files, 0) as files,
            coalesce(per_source.files_not_loaded, 0) as files_not_loaded,
            per_source.rows_loaded,
            per_source.rows_quarantined,
            per_source.last_loaded_at,
            latest_record.latest_record,
            datediff('day', latest_record.latest_record, current_date) as days_since_record
        from latest_record
        full outer join per_source using (source)
        order by source
        """,
        path,
    )


@warehouse_query
def unattributed(path: Path) -> pd.DataFrame:
    """Records whose handler is on no roster: loaded, and scored to nobody."""
    return _query(
        """
        select record_type, handler_id, records, first_month, last_month
        from marts.data_unattributed
        order by records desc, record_type, handler_id
        """,
        path,
    )
