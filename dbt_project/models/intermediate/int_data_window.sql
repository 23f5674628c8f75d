-- One row: the months the loaded records span, and the last day with data (the "as of" date).
with

approvals as (
    select * from {{ ref('stg_approvals__cases') }}
),

tickets as (
    select * from {{ ref('stg_tickets__tickets') }}
),

cases as (
    select * from {{ ref('stg_cases__cases') }}
),

roster as (
    select * from {{ ref('stg_staff__roster') }}
),

dates as (
    select
        received_at::date as first_day,
        coalesce(completed_at, received_at)::date as last_day
    from approvals
    union all
    select
        created_at::date as first_day,
        coalesce(closed_at, created_at)::date as last_day
    from tickets
    union all
    select
        filed_on as first_day,
        coalesce(closed_on, decided_on, filed_on) as last_day
    from cases
    union all
    select
        as_of as first_day,
        as_of as last_day
    from roster
),

final as (
    select
        date_trunc('month', min(first_day))::date as first_month,
        max(last_day) as data_through
    from dates
    -- a defective far-future date must not stretch the window
    where last_day <= current_date
)

select * from final
