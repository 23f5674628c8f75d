-- One row per person, period and decision applying an assessment result (several actions of
-- one person for one period are several rows); an annual recommendation without any decision
-- yet is one row with no final grade, so pending results are visible too. An annual result
-- notified in writing opens a window of review_request_days in which the person may ask for a
-- review (复核; Civil Servant Law art. 95).
with

decisions as (
    select * from {{ ref('stg_actions__decisions') }}
),

scores as (
    select * from {{ ref('fct_person_scores') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

recommended as (
    select
        staff_id,
        period_type,
        period_start,
        grade_recommendation
    from scores
    where grade_recommendation is not null
),

joined as (
    select
        coalesce(decisions.staff_id, recommended.staff_id) as staff_id,
        coalesce(decisions.period_type, recommended.period_type) as period_type,
        coalesce(decisions.period_start, recommended.period_start) as period_start,
        decisions.period_label,
        recommended.grade_recommendation as recommended_grade,
        decisions.final_grade,
        decisions.action,
        decisions.amount,
        decisions.notified_on,
        decisions.decided_on,
        decisions.applied_on,
        decisions.source_file,
        decisions.source_row
    from decisions
    full outer join recommended
        on
            decisions.staff_id = recommended.staff_id
            and decisions.period_type = recommended.period_type
            and decisions.period_start = recommended.period_start
),

dated as (
    select
        *,
        {{ period_end('period_type', 'period_start') }} as period_end,
        case period_type
            when 'year' then strftime(period_start, '%Y')
            when 'quarter' then strftime(period_start, '%Y') || 'Q' || quarter(period_start)
            else strftime(period_start, '%Y-%m')
        end as derived_label
    from joined
),

final as (
    select
        -- keys
        dated.staff_id,
        dated.period_type,
        dated.period_start,
        coalesce(dated.period_label, dated.derived_label) as period_label,
        dated.period_end,
        -- grades
        dated.recommended_grade,
        dated.final_grade,
        -- decision
        dated.action,
        dated.amount,
        dated.notified_on,
        dated.decided_on,
        dated.applied_on,
        datediff('day', dated.period_end, dated.applied_on) as days_to_apply,
        -- a grade recorded with no action has nothing to apply; a pending decision can be late
        (dated.action is not null or dated.final_grade is null)
        and datediff('day', dated.period_end, coalesce(dated.applied_on, current_date))
        > settings.apply_overdue_days as is_overdue,
        -- written notice, and the window it opens to ask for a review
        dated.final_grade is not null and dated.notified_on is null as is_not_notified,
        case
            when dated.period_type = 'year' and dated.final_grade is not null
                then (dated.notified_on + to_days(settings.review_request_days::integer))::date
        end as review_request_due_on,
        coalesce(
            dated.period_type = 'year'
            and dated.final_grade is not null
            and current_date <= dated.notified_on + to_days(settings.review_request_days::integer),
            false
        ) as is_review_window_open,
        -- lineage
        dated.source_file,
        dated.source_row
    from dated
    cross join settings
)

-- Stored by person: the dashboard reads one person's rows at a time, and DuckDB then skips
-- every row group that holds none of theirs.
select * from final
order by staff_id, period_start
