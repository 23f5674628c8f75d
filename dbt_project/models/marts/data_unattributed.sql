-- One row per record type and handler id that is on no roster: loaded, shown here, scored to
-- nobody.
with

roster as (
    select distinct staff_id from {{ ref('stg_staff__roster') }}
),

approvals as (
    select * from {{ ref('stg_approvals__cases') }}
),

tickets as (
    select * from {{ ref('stg_tickets__tickets') }}
),

cases as (
    select * from {{ ref('stg_cases__cases') }}
),

tasks as (
    select * from {{ ref('stg_tasks__tasks') }}
),

handled as (
    select
        'approvals' as record_type,
        handler_id,
        received_at::date as record_date
    from approvals
    union all
    select
        'tickets' as record_type,
        handler_id,
        created_at::date as record_date
    from tickets
    union all
    select
        'cases' as record_type,
        lead_officer_id as handler_id,
        filed_on as record_date
    from cases
    union all
    select
        'tasks' as record_type,
        staff_id as handler_id,
        assigned_on as record_date
    from tasks
),

final as (
    select
        handled.record_type,
        handled.handler_id,
        count(*) as records,
        date_trunc('month', min(handled.record_date))::date as first_month,
        date_trunc('month', max(handled.record_date))::date as last_month
    from handled
    anti join roster on handled.handler_id = roster.staff_id
    group by handled.record_type, handled.handler_id
)

select * from final
