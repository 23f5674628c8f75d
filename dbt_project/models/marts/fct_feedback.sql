-- One row per feedback talk, review request or appeal, with its legal clock: the authority
-- decides a review (复核) within 30 days and an appeal (申诉) within 60 (Civil Servant Law
-- arts. 95-96; the day counts are seed settings).
with

feedback as (
    select * from {{ ref('stg_feedback__talks') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

clocked as (
    select
        feedback.*,
        case feedback.kind
            when '复核申请' then settings.review_decision_days
            when '申诉' then settings.appeal_decision_days
        end::integer as legal_days
    from feedback
    cross join settings
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
        ) as is_late
    from clocked
)

select * from final
