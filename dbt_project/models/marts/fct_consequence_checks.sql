-- One row per person, year and consequence their annual grade calls for (seed
-- grade_consequences): an action that is due (嘉奖 for 优秀, a pay step every second year 称职 or
-- better, …) or one that is barred (a bonus for 基本称职 or 不称职), with whether a decision
-- applying it was recorded. Shows what was due and not applied, and what was applied against
-- the rules, not only what was recorded.
with

decisions as (
    select * from {{ ref('stg_actions__decisions') }}
),

consequences as (
    select * from {{ ref('grade_consequences') }}
),

annual_grades as (
    select
        staff_id,
        period_start,
        any_value(final_grade) as final_grade
    from decisions
    where period_type = 'year' and final_grade is not null
    group by staff_id, period_start
),

runs_marked as (
    select
        *,
        -- a year starts a new run unless the year before, on record, had the same grade
        coalesce(
            lag(final_grade) over person_years != final_grade
            or lag(period_start) over person_years != period_start - interval 1 year,
            true
        ) as starts_run,
        sum(case when final_grade in ('优秀', '称职') then 1 else 0 end) over (
            person_years rows between unbounded preceding and current row
        ) as competent_years
    from annual_grades
    window person_years as (partition by staff_id order by period_start)
),

runs_numbered as (
    select
        *,
        sum(case when starts_run then 1 else 0 end) over (
            partition by staff_id order by period_start
            rows between unbounded preceding and current row
        ) as run_no
    from runs_marked
),

grade_history as (
    select
        *,
        -- how many years in a row, up to this one, had this year's grade
        row_number() over (partition by staff_id, run_no order by period_start) as years_in_a_row
    from runs_numbered
),

called_for as (
    select
        grade_history.staff_id,
        grade_history.period_start,
        grade_history.final_grade,
        consequences.expected_action,
        consequences.rule,
        consequences.expectation,
        consequences.condition_zh,
        consequences.condition_en,
        consequences.source
    from grade_history
    inner join consequences on grade_history.final_grade = consequences.final_grade
    where
        consequences.rule = 'each_year'
        -- every third 优秀 in a row: the run starts again after a merit
        or (
            consequences.rule = 'third_consecutive_excellent'
            and grade_history.years_in_a_row % 3 = 0
        )
        or (
            consequences.rule = 'every_second_competent_year'
            and grade_history.competent_years % 2 = 0
        )
        or (
            consequences.rule = 'every_fifth_competent_year'
            and grade_history.competent_years % 5 = 0
        )
        -- a second 不称职 in a row, and every one after it while the person stays
        or (
            consequences.rule = 'second_consecutive_incompetent'
            and grade_history.years_in_a_row >= 2
        )
),

applied as (
    select
        staff_id,
        period_start,
        action,
        min(decided_on) as decided_on,
        min(applied_on) as applied_on
    from decisions
    where period_type = 'year' and action is not null
    group by staff_id, period_start, action
),

final as (
    select
        called_for.staff_id,
        called_for.period_start,
        called_for.final_grade,
        called_for.expected_action,
        called_for.rule,
        called_for.expectation,
        called_for.condition_zh,
        called_for.condition_en,
        called_for.source,
        applied.action is not null as was_applied,
        -- due and not applied, or barred and applied anyway
        (applied.action is not null) = (called_for.expectation = 'barred') as is_wrong,
        applied.decided_on,
        applied.applied_on
    from called_for
    left join applied
        on
            called_for.staff_id = applied.staff_id
            and called_for.period_start = applied.period_start
            and called_for.expected_action = applied.action
)

select * from final
