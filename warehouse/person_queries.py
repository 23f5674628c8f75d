"""The warehouse reads of the person pages: rankings, the HR drill-down and the staff self view.

Same contract as `warehouse.queries`: the warehouse file first, a DataFrame back, one short
read-only connection per call, memoized per file identity inside the app. Who may see what is
decided here, from the `warehouse.scope.Asker` each function of people's data takes after the
file: a person outside the asker's scope raises `NotInScope` before any of their rows is read,
and lists of people are restricted to the asker's office in SQL.

A person's name, office and post come from their latest roster version in `marts.dim_staff`;
the office a score counts for is the one in `marts.fct_person_scores` (where they spent most of
the period).

A person's rows are taken in a `materialized` CTE before anything is joined to them: joined
directly, the filter DuckDB pushes from the join into the scan kept it from skipping the row
groups of other people (the marts are stored by person), and the read took 2-3 times as long.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.queries import (
    _check_period_type,
    _query,
    _query_arrow,
    indicator_medians,
    session,
    warehouse_query,
)
from warehouse.scope import Asker, office_filter, person_query

# Shown at most in the records grid of one indicator; the export has them all.
RECORDS_SHOWN = 1000


def _one_person(sql: str, path: Path, params: dict) -> pd.DataFrame:
    """A read of one person's rows: a few, on a page view at most `RECORDS_SHOWN`
    (`queries._fetch`)."""
    return _query(sql, path, params, few_rows=True)


_LATEST_STAFF = """
    latest_staff as (
        select *
        from marts.dim_staff
        qualify row_number() over (
            partition by staff_id order by valid_from desc, version_no desc
        ) = 1
    )
"""


# -- periods, categories, offices -------------------------------------------------------------


@warehouse_query
def score_periods(path: Path, period_type: str) -> pd.DataFrame:
    """Periods of this type with person scores, newest first, and whether the data cover them."""
    _check_period_type(period_type)
    return _query(
        """
        select
            period_start,
            bool_and(is_complete_period) as is_complete
        from marts.fct_person_scores
        where period_type = $period_type
        group by period_start
        order by period_start desc
        """,
        path,
        {"period_type": period_type},
    )


@warehouse_query
def role_categories(path: Path) -> pd.DataFrame:
    """The job categories with their qualitative share and minimum quantitative coverage."""
    return _query(
        """
        select role_category, name_en, qualitative_share, min_coverage
        from seeds.role_categories
        """,
        path,
    )


@warehouse_query
def scored_offices(path: Path) -> list[str]:
    """Every office that has person scores, by name."""
    df = _query(
        "select distinct department from marts.fct_person_scores order by department",
        path,
    )
    return [str(d) for d in df["department"]]


# -- rankings ---------------------------------------------------------------------------------


def rankings(
    source: Path | str,
    asker: Asker,
    period_type: str,
    period_start: date,
    role_category: str,
    office: str | None = None,
) -> pd.DataFrame:
    """One row per person of the category in the period, best first, among the people the
    asker may list; `office` narrows it (an office head always gets their own office).

    Ranks are the mart's: within the whole category (`rank_in_category`) and within the
    person's office and category (`rank_in_office`). People with insufficient data have no
    rank and come last; `rank_change` is positive when the person moved up.

    The whole category is read and memoized once; an office is a filter of it (a town of 300
    offices would otherwise run and keep a query for each of them).
    """
    office = office_filter(asker, office)
    table = _rankings(source, period_type, period_start, role_category)
    if office is None:
        return table
    return table[table["department"] == office].reset_index(drop=True)


@warehouse_query
def _rankings(
    path: Path,
    period_type: str,
    period_start: date,
    role_category: str,
) -> pd.DataFrame:
    _check_period_type(period_type)
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            s.staff_id,
            latest_staff.name,
            s.department,
            s.role_category,
            s.staff_type,
            s.composite_score,
            s.quantitative_score,
            s.qualitative_score,
            s.quantitative_coverage,
            s.indicators_scored,
            s.indicators_missing,
            s.has_missing_indicators,
            s.insufficient_data,
            s.rank_in_category,
            s.n_in_category,
            s.category_percentile,
            s.rank_in_office,
            s.n_in_office,
            s.previous_rank,
            s.rank_change,
            s.grade_recommendation,
            s.review_flag,
            s.is_complete_period
        from marts.fct_person_scores as s
        left join latest_staff using (staff_id)
        where s.period_type = $period_type
          and s.period_start = $period_start
          and s.role_category = $role_category
        order by
            s.insufficient_data,
            s.rank_in_category nulls last,
            s.quantitative_coverage desc nulls last,
            s.staff_id
        """,
        path,
        {
            "period_type": period_type,
            "period_start": period_start,
            "role_category": role_category,
        },
    )


def composite_histogram(
    source: Path | str,
    asker: Asker,
    period_type: str,
    period_start: date,
    role_category: str,
    office: str | None = None,
    bin_width: int = 10,
) -> pd.DataFrame:
    """How many ranked people of the category fall in each composite band (0–10, …, 90–100),
    among the people the asker may list (as `rankings`).

    Every band is present, empty ones with 0, so the chart and its table show the whole scale.
    As `rankings`, the category is counted per office once and an office is a filter of it.
    """
    office = office_filter(asker, office)
    counts = _composite_bands(source, period_type, period_start, role_category, bin_width)
    if office is not None:
        counts = counts[counts["department"] == office]
    people = counts.groupby("bin_start")["people"].sum()
    starts = [float(start) for start in range(0, 100, bin_width)]
    return pd.DataFrame(
        {
            "bin_start": starts,
            "bin_end": [start + bin_width for start in starts],
            "people": [int(people.get(start, 0)) for start in starts],
        }
    )


@warehouse_query
def _composite_bands(
    path: Path,
    period_type: str,
    period_start: date,
    role_category: str,
    bin_width: int,
) -> pd.DataFrame:
    """Ranked people per office and composite band (a band's start; 100 falls in the last)."""
    _check_period_type(period_type)
    return _query(
        """
        select
            department,
            least(floor(composite_score / $bin_width) * $bin_width, 100 - $bin_width)::double
                as bin_start,
            count(*) as people
        from marts.fct_person_scores
        where period_type = $period_type
          and period_start = $period_start
          and role_category = $role_category
          and not insufficient_data
          and composite_score is not null
        group by all
        """,
        path,
        {
            "period_type": period_type,
            "period_start": period_start,
            "role_category": role_category,
            "bin_width": bin_width,
        },
    )


# -- one person ---------------------------------------------------------------------------------


def people_in_scope(source: Path | str, asker: Asker, office: str | None = None) -> pd.DataFrame:
    """The people the asker may list (as `people_directory`): an office head's office, or
    everyone (narrowed to `office` when given) for hr, leader and admin."""
    return people_directory(source, office_filter(asker, office))


@warehouse_query
def people_directory(path: Path, office: str | None = None) -> pd.DataFrame:
    """Everyone on the roster (current staff first), or only the office's people, with what
    a person's profile shows of them.

    A person belongs to the office of their latest roster version. This is the roster itself,
    for no one in particular: what is shown to someone comes from `people_in_scope`.
    """
    return _query(
        f"""
        with {_LATEST_STAFF}
        select
            staff_id, name, department, unit, position, role_category, staff_type, rank,
            hired_on, left_on, is_current
        from latest_staff
        where $office is null or department = $office
        order by is_current desc, department, staff_id
        """,
        path,
        {"office": office},
    )


def _person_profile(path: Path, staff_id: str) -> pd.DataFrame:
    """The person's latest roster version (one row, or none for an unknown id): their row of
    `people_directory`, which every view of a person has read already (the page checks its
    person against it), so the profile costs no query of its own."""
    directory = people_directory(path)
    return directory[directory["staff_id"] == staff_id].reset_index(drop=True)


def _score_rows(path: Path, staff_id: str) -> pa.Table:
    """The person's scores and ranks in every period of every type, by type, oldest first:
    one read for the period list, the scores and the monthly trend of a view (each of which
    was a read of its own). Kept as Arrow: a slice made pandas has the types a read of the
    slice alone would give (a rank column with no null stays integer)."""
    return _query_arrow(
        """
        select
            period_type,
            period_start,
            role_category,
            department,
            is_complete_period,
            composite_score,
            quantitative_score,
            qualitative_score,
            quantitative_coverage,
            indicators_scored,
            indicators_missing,
            has_missing_indicators,
            insufficient_data,
            rank_in_category,
            n_in_category,
            category_percentile,
            rank_in_office,
            n_in_office,
            previous_rank,
            rank_change,
            grade_recommendation,
            review_flag
        from marts.fct_person_scores
        where staff_id = $staff_id
        order by period_type, period_start
        """,
        path,
        {"staff_id": staff_id},
        few_rows=True,
    )


def _slice(rows: pa.Table, period_type: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of one period type (`columns` of them, else all but the type)."""
    part = rows.filter(pc.equal(rows["period_type"], period_type))
    return part.select(columns or rows.column_names[1:]).to_pandas()


# Memoized as the reads are (in the process's recent results), for the functions below; the
# asker's scope is checked by theirs.
_person_score_rows = warehouse_query(_score_rows, shared=False)


def _person_scores(path: Path, staff_id: str, period_type: str) -> pd.DataFrame:
    """The person's scores and ranks in every period of this type, oldest first."""
    _check_period_type(period_type)
    return _slice(_person_score_rows(path, staff_id), period_type)


def _person_trend(path: Path, staff_id: str) -> pd.DataFrame:
    """The person's monthly composite beside the median of their category that month.

    The median counts people with sufficient data only (`monthly_category_medians`, read once
    for everyone's views).
    """
    mine = _slice(
        _person_score_rows(path, staff_id),
        "month",
        ["period_start", "role_category", "composite_score", "insufficient_data"],
    )
    medians = monthly_category_medians(path)
    return _beside(mine, medians, ["period_start", "role_category"], ["category_median"])


def _beside(
    mine: pd.DataFrame, other: pd.DataFrame, on: list[str], columns: list[str]
) -> pd.DataFrame:
    """`mine` with `other`'s numeric `columns` matched on `on`, NaN where `other` has no match:
    a left join through a dictionary. `mine` is one person's few rows, and pandas' merge took
    milliseconds to join them."""
    found = dict(
        zip(
            zip(*(other[c] for c in on), strict=True),
            zip(*(other[c] for c in columns), strict=True),
            strict=True,
        )
    )
    matched = [found.get(key) for key in zip(*(mine[c] for c in on), strict=True)]
    # as merge: the column's own type, or float with NaN where a row found no match
    unmatched = None in matched
    return mine.assign(
        **{
            column: pd.Series(
                [None if m is None else m[n] for m in matched],
                dtype="float64" if unmatched else other[column].dtype,
            ).to_numpy()
            for n, column in enumerate(columns)
        }
    )


@warehouse_query
def monthly_category_medians(path: Path) -> pd.DataFrame:
    """Every month's median composite of each job category, among people with sufficient data."""
    return _query(
        """
        select period_start, role_category, median(composite_score) as category_median
        from marts.fct_person_scores
        where period_type = 'month'
          and not insufficient_data
        group by all
        """,
        path,
    )


def _in_period(name: str, mart: str) -> str:
    """A CTE of the person's rows of a mart in the period, taken before any join (the module's
    note on `materialized`)."""
    return f"""{name} as materialized (
            select *
            from marts.{mart}
            where staff_id = $staff_id
              and period_type = $period_type
              and period_start = $period_start
        )"""


def _person_indicators(
    path: Path, staff_id: str, period_type: str, period_start: date
) -> pd.DataFrame:
    """The person's indicators in the period, each with its weight, its share of the composite
    and the median of the category.

    `effective_weight` is the indicator's weight re-spread over the indicators of its part
    (quantitative or qualitative) that have a score, as fractions summing to 1;
    `contribution` = score × effective_weight, so a part's score is the sum of its
    contributions. The category medians count people with sufficient data only; they are the
    period's `queries.indicator_medians`, read once per period for everyone's views.
    """
    _check_period_type(period_type)
    mine = _one_person(
        f"""
        with {_in_period("mine", "fct_indicator_values")},
        weighted as (
            select
                mine.role_category,
                mine.indicator_code,
                i.name_zh,
                i.name_en,
                i.kind,
                i.direction,
                i.unit,
                i.min_n,
                i.kind = 'rating' as is_qualitative,
                mine.value,
                mine.value_adjusted,
                mine.n,
                mine.score,
                mine.is_sufficient,
                w.weight::double as weight
            from mine
            inner join marts.dim_indicators as i using (indicator_code)
            inner join seeds.indicator_weights as w
                on w.role_category = mine.role_category
                and w.indicator_code = mine.indicator_code
        ),
        spread as (
            select
                *,
                case when score is not null then
                    weight / sum(case when score is not null then weight end)
                        over (partition by is_qualitative)
                end as effective_weight
            from weighted
        )
        select *, score * effective_weight as contribution
        from spread
        order by is_qualitative, weight desc, indicator_code
        """,
        path,
        {"staff_id": staff_id, "period_type": period_type, "period_start": period_start},
    )
    medians = indicator_medians(path, period_type, period_start).rename(
        columns={
            "median_value": "category_median_value",
            "median_score": "category_median_score",
            "people": "category_people",
        }
    )
    added = ["category_median_value", "category_median_score", "category_people"]
    joined = _beside(mine, medians, ["role_category", "indicator_code"], added)
    spread = ["effective_weight", "contribution"]
    own = [c for c in mine.columns if c != "role_category" and c not in spread]
    return joined[own + added + spread]


def _score_steps(path: Path, staff_id: str, period_type: str, period_start: date) -> pd.DataFrame:
    """The composite recomputed from the person's indicators, beside the mart's own figures.

    One row (none when the person has no score in the period): the weights of each part, the
    parts summed from their contributions (`*_from_steps`), the category's qualitative share,
    the blend, and `composite_score` / `quantitative_score` / `qualitative_score` as the mart
    has them. The blend takes the part that exists when the other has no score.
    """
    _check_period_type(period_type)
    return _one_person(
        f"""
        with {_in_period("values", "fct_indicator_values")},
        {_in_period("score", "fct_person_scores")},
        mine as (
            select v.*, i.kind = 'rating' as is_qualitative, w.weight::double as weight
            from values as v
            inner join marts.dim_indicators as i using (indicator_code)
            inner join seeds.indicator_weights as w
                on w.role_category = v.role_category
                and w.indicator_code = v.indicator_code
        ),
        parts as (
            select
                sum(weight) filter (where not is_qualitative) as quantitative_weight,
                sum(weight) filter (where not is_qualitative and score is not null)
                    as quantitative_weight_scored,
                sum(score * weight) filter (where not is_qualitative)
                    / sum(weight) filter (where not is_qualitative and score is not null)
                    as quantitative_from_steps,
                sum(weight) filter (where is_qualitative) as qualitative_weight,
                sum(weight) filter (where is_qualitative and score is not null)
                    as qualitative_weight_scored,
                sum(score * weight) filter (where is_qualitative)
                    / sum(weight) filter (where is_qualitative and score is not null)
                    as qualitative_from_steps
            from mine
        )
        select
            s.role_category,
            c.qualitative_share,
            c.min_coverage,
            parts.*,
            case
                when parts.quantitative_from_steps is null then parts.qualitative_from_steps
                when parts.qualitative_from_steps is null then parts.quantitative_from_steps
                else (1 - c.qualitative_share) * parts.quantitative_from_steps
                    + c.qualitative_share * parts.qualitative_from_steps
            end as composite_from_steps,
            s.quantitative_score,
            s.qualitative_score,
            s.composite_score,
            s.quantitative_coverage,
            s.insufficient_data,
            s.rank_in_category,
            s.n_in_category,
            s.category_percentile
        from score as s
        inner join seeds.role_categories as c using (role_category)
        cross join parts
        """,
        path,
        {"staff_id": staff_id, "period_type": period_type, "period_start": period_start},
    )


def _records_where() -> str:
    # The month range lets DuckDB skip the person's other months (the mart is stored by
    # person and month); date_trunc keeps the meaning exact for any start given.
    return """
        staff_id = $staff_id
        and month_start >= $period_start
        and month_start < $period_end
        and date_trunc($period_type, month_start) = $period_start
        and ($indicator_code is null
             or list_contains(string_split(indicator_codes, ','), $indicator_code))
    """


PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _period_end(period_type: str, period_start: date) -> date:
    """The first day after the period."""
    start = pd.Timestamp(period_start).date()
    years, month = divmod(start.month - 1 + PERIOD_MONTHS[period_type], 12)
    return date(start.year + years, month + 1, 1)


def _indicator_records(
    path: Path,
    staff_id: str,
    period_type: str,
    period_start: date,
    indicator_code: str | None = None,
    limit: int | None = RECORDS_SHOWN,
) -> pd.DataFrame:
    """The records (cases, tickets, enforcement cases, key tasks) behind the person's figures in
    the period, newest first; only those feeding `indicator_code` when given.

    `total` on every row is how many there are in all, whatever `limit` cut: counted apart
    only when the limit cut some (a window count over every row cost more than the rows).
    """
    _check_period_type(period_type)
    params: dict = {
        "staff_id": staff_id,
        "period_type": period_type,
        "period_start": period_start,
        "period_end": _period_end(period_type, period_start),
        "indicator_code": indicator_code,
    }
    found = _one_person(
        f"""
        select
            record_type,
            record_no,
            month_start,
            detail,
            started_at,
            finished_at,
            strftime(started_at, '%Y-%m-%d %H:%M') as started,
            strftime(finished_at, '%Y-%m-%d %H:%M') as finished,
            promised,
            working_days_used,
            is_on_time,
            outcome,
            credit,
            indicator_codes,
            source_file,
            source_row,
            source_file || ':' || source_row as source
        from marts.fct_indicator_records
        where {_records_where()}
        order by finished_at desc nulls last, record_no
        {"limit $limit" if limit else ""}
        """,
        path,
        params | ({"limit": limit} if limit else {}),
    )
    total = len(found)
    if limit and total >= limit:
        counted = _one_person(
            f"select count(*) as total from marts.fct_indicator_records where {_records_where()}",
            path,
            params,
        )
        total = int(counted["total"].iloc[0])
    return found.assign(total=pd.Series(total, index=found.index, dtype="int64"))


def _person_ratings(
    path: Path, staff_id: str, period_type: str | None = None, period_start: date | None = None
) -> pd.DataFrame:
    """The person's ratings by rater group, newest first; those within the period when given
    (a year holds its quarters' ratings too)."""
    return _one_person(
        """
        select period_type, period_start, period_label, rater_type, score, rater_count
        from marts.fct_ratings
        where staff_id = $staff_id
          and ($period_type is null
               or date_trunc($period_type, period_start) = $period_start)
        order by period_start desc, period_type desc, rater_type
        """,
        path,
        {"staff_id": staff_id, "period_type": period_type, "period_start": period_start},
    )


def _person_feedback(path: Path, staff_id: str) -> pd.DataFrame:
    """The person's feedback talks, review requests and appeals, newest first."""
    return _one_person(
        """
        select
            period_label, kind, held_on, resolved_on, outcome, legal_days, due_on, days_open,
            is_open, is_late
        from marts.fct_feedback
        where staff_id = $staff_id
        order by held_on desc nulls last
        """,
        path,
        {"staff_id": staff_id},
    )


def _person_results(path: Path, staff_id: str) -> pd.DataFrame:
    """How the person's assessment results were applied, newest period first."""
    return _one_person(
        """
        select
            period_label, period_type, period_start, recommended_grade, final_grade, action,
            amount, notified_on, decided_on, applied_on, days_to_apply, is_overdue,
            is_not_notified
        from marts.fct_result_utilization
        where staff_id = $staff_id
        order by period_start desc, period_type desc, action
        """,
        path,
        {"staff_id": staff_id},
    )


# -- bundles: what one page view of a person needs, memoized together -------------------------


def _person_page(path: Path, staff_id: str) -> dict[str, pd.DataFrame]:
    """What does not depend on the period: `profile`, monthly `trend`, `ratings`, `feedback`
    and `results` (each as the function of that name returns it)."""
    with session(path):
        return {
            "profile": _person_profile(path, staff_id),
            "trend": _person_trend(path, staff_id),
            "ratings": _person_ratings(path, staff_id, None, None),
            "feedback": _person_feedback(path, staff_id),
            "results": _person_results(path, staff_id),
        }


def _person_period(
    path: Path, staff_id: str, period_type: str, period_start: date
) -> dict[str, pd.DataFrame]:
    """The person's `scores` in every period of the type and the period's `indicators` (as
    `person_scores` and `person_indicators` return them). The self view's `score_steps` are
    read apart: the drill-down, viewed far more often, does not show them."""
    _check_period_type(period_type)
    with session(path):
        return {
            "scores": _person_scores(path, staff_id, period_type),
            "indicators": _person_indicators(path, staff_id, period_type, period_start),
        }


# -- one person, as callers read them: `f(source, asker, staff_id, ...)` ------------------------
# Each checks that the asker may read the person (`warehouse.scope`) before reading a row.

person_profile = person_query(_person_profile)
person_scores = person_query(_person_scores)
person_trend = person_query(_person_trend)
person_indicators = person_query(_person_indicators)
score_steps = person_query(_score_steps)
indicator_records = person_query(_indicator_records)
person_ratings = person_query(_person_ratings)
person_feedback = person_query(_person_feedback)
person_results = person_query(_person_results)
person_page = person_query(_person_page)
person_period = person_query(_person_period)
