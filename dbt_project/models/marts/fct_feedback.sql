-- One row per feedback talk, review request or appeal, with its legal clocks (Civil Servant
-- Law arts. 95-96; the day counts are seed settings): a review (复核) must be asked for within
-- 30 days of the written notice of the annual result, and the authority decides a review
-- within 30 days and an appeal (申诉) within 60.
with

feedback as (
    select * from {{ ref('stg_feedback__talks') }}
),

decisions as (
    select * from {{ ref('stg_actions__decisions') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

-- when the person learnt the annual result in writing; no notice, no request clock
notices as (
    select
        staff_id,
        period_type,
        period_start,
        min(notified_on) as notified_on
    from decisions
    where period_type = 'year' and notified_on is not null
    group by staff_id, period_type, period_start
),

clocked as (
    select
        feedback.*,
        notices.notified_on,
        case feedback.kind
            when '复核申请' then settings.review_decision_days
            when '申诉' then settings.appeal_decision_days
        end::integer as legal_days,
        case
            when feedback.kind = '复核申请' then settings.review_request_days
        end::integer as request_days
    from feedback
    cross join settings
    left join notices
        on
            feedback.staff_id = notices.staff_id
            and feedback.period_type = notices.period_type
            and feedback.period_start = notices.period_start
),

final as (
    select
        staff_id,
        period_type,
        period_start,
        period_label,
        kind,
        held_on,
        resolved_on,
        outcome,
        legal_days,
        (held_on + to_days(legal_days))::date as due_on,
        datediff('day', held_on, coalesce(resolved_on, current_date)) as days_open,
        resolved_on is null as is_open,
        coalesce(
            legal_days is not null
            and datediff('day', held_on, coalesce(resolved_on, current_date)) > legal_days,
            false
        ) as is_late,
        -- the request clock: from the written notice to the day the review was asked for
        notified_on,
        (notified_on + to_days(request_days))::date as request_due_on,
        coalesce(held_on > notified_on + to_days(request_days), false) as is_request_late
    from clocked
)

select * from final
