-- One row per person, month and quantitative indicator: numerator, denominator and n from the
-- records of that month. For a volume the numerator is the weighted workload; for a rate or a
-- ratio, value = numerator / denominator (key tasks weigh by their points).
with

approvals as (
    select * from {{ ref('int_approvals_measured') }}
),

tickets as (
    select * from {{ ref('int_tickets_measured') }}
),

case_credits as (
    select * from {{ ref('int_case_credits') }}
),

tasks as (
    select * from {{ ref('int_tasks_measured') }}
),

approval_counts as (
    select
        handler_id as staff_id,
        month_start,
        sum(workload_weight) as workload,
        count(*) as completed,
        count_if(is_on_time) as on_time,
        sum(time_ratio) as time_ratio_sum,
        count_if(is_rated) as rated,
        count_if(is_good_rating) as good
    from approvals
    group by all
),

ticket_counts as (
    select
        handler_id as staff_id,
        month_start,
        count(*) as closed,
        count_if(is_on_time) as on_time,
        count_if(has_response) as with_response,
        count_if(is_responded_in_time) as responded_in_time,
        count_if(is_rated) as rated,
        count_if(is_satisfied) as satisfied,
        count_if(is_reopened) as reopened
    from tickets
    group by all
),

case_counts as (
    select
        staff_id,
        month_start,
        sum(workload) as workload,
        count(*) as credited,
        count_if(credit_role = 'lead') as led,
        -- a co-officer's credits carry no on-time or review facts (null): count them as none
        coalesce(count_if(is_on_time), 0) as on_time,
        coalesce(count_if(has_review_outcome), 0) as with_review_outcome,
        coalesce(count_if(is_corrected), 0) as corrected
    from case_credits
    group by all
),

task_counts as (
    select
        staff_id,
        month_start,
        count(*) as due,
        sum(weight) as weight_due,
        sum(case when is_on_time then weight else 0 end) as weight_on_time
    from tasks
    group by all
),

unioned as (
    select
        staff_id,
        month_start,
        'appr_workload' as indicator_code,
        workload as numerator,
        completed as denominator,
        completed as n
    from approval_counts
    union all
    select
        staff_id,
        month_start,
        'appr_on_time_rate' as indicator_code,
        on_time as numerator,
        completed as denominator,
        completed as n
    from approval_counts
    union all
    select
        staff_id,
        month_start,
        'appr_time_ratio' as indicator_code,
        time_ratio_sum as numerator,
        completed as denominator,
        completed as n
    from approval_counts
    union all
    select
        staff_id,
        month_start,
        'appr_good_rating_rate' as indicator_code,
        good as numerator,
        rated as denominator,
        rated as n
    from approval_counts
    union all
    select
        staff_id,
        month_start,
        'tkt_workload' as indicator_code,
        closed as numerator,
        closed as denominator,
        closed as n
    from ticket_counts
    union all
    select
        staff_id,
        month_start,
        'tkt_on_time_rate' as indicator_code,
        on_time as numerator,
        closed as denominator,
        closed as n
    from ticket_counts
    union all
    select
        staff_id,
        month_start,
        'tkt_response_rate' as indicator_code,
        responded_in_time as numerator,
        with_response as denominator,
        with_response as n
    from ticket_counts
    union all
    select
        staff_id,
        month_start,
        'tkt_satisfaction_rate' as indicator_code,
        satisfied as numerator,
        rated as denominator,
        rated as n
    from ticket_counts
    union all
    select
        staff_id,
        month_start,
        'tkt_reopen_rate' as indicator_code,
        reopened as numerator,
        closed as denominator,
        closed as n
    from ticket_counts
    union all
    select
        staff_id,
        month_start,
        'case_workload' as indicator_code,
        workload as numerator,
        credited as denominator,
        credited as n
    from case_counts
    union all
    select
        staff_id,
        month_start,
        'case_on_time_rate' as indicator_code,
        on_time as numerator,
        led as denominator,
        led as n
    from case_counts
    union all
    select
        staff_id,
        month_start,
        'case_corrected_rate' as indicator_code,
        corrected as numerator,
        with_review_outcome as denominator,
        with_review_outcome as n
    from case_counts
    union all
    select
        staff_id,
        month_start,
        'task_on_time_rate' as indicator_code,
        weight_on_time as numerator,
        weight_due as denominator,
        due as n
    from task_counts
),

final as (
    select
        staff_id,
        month_start,
        indicator_code,
        numerator::double as numerator,
        denominator::double as denominator,
        n::bigint as n
    from unioned
)

select * from final
