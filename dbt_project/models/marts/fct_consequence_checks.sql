-- One row per person, year and consequence their annual grade should have led to (seed
-- grade_consequences), with whether a decision applying it was recorded. Shows what was due
-- and not applied, not only what was recorded.
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
    where period_type = 'year'
    group by staff_id, period_start
),

grade_history as (
    select
        *,
        final_grade = '优秀'
        and lag(final_grade, 1) over person_years = '优秀'
        and lag(final_grade, 2) over person_years = '优秀'
        and lag(period_start, 2) over person_years = period_start - interval 2 year
            as is_third_excellent_in_a_row,
        sum(case when final_grade in ('优秀', '称职') then 1 else 0 end) over (
            person_years rows between unbounded preceding and current row
        ) as competent_years
    from annual_grades
    window person_years as (partition by staff_id order by period_start)
),

due as (
    select
        grade_history.staff_id,
        grade_history.period_start,
        grade_history.final_grade,
        consequences.expected_action,
        consequences.rule,
        consequences.condition_zh,
        consequences.condition_en,
        consequences.source
    from grade_history
    inner join consequences on grade_history.final_grade = consequences.final_grade
    where
        consequences.rule = 'each_year'
        or (consequences.rule = 'third_consecutive_excellent' and grade_history.is_third_excellent_in_a_row)
        or (
            consequences.rule = 'every_second_competent_year'
            and grade_history.competent_years % 2 = 0
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
        due.staff_id,
        due.period_start,
        due.final_grade,
        due.expected_action,
        due.rule,
        due.condition_zh,
        due.condition_en,
        due.source,
        applied.action is not null as was_applied,
        applied.decided_on,
        applied.applied_on
    from due
    left join applied
        on
            due.staff_id = applied.staff_id
            and due.period_start = applied.period_start
            and due.expected_action = applied.action
)

select * from final
