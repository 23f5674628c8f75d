-- One row per closed service ticket, with its timeliness and satisfaction. Tickets sent back
-- as misassigned (回退) count for nobody. A ticket without a due time is due after the
-- default number of working days (a seed setting).
{{ config(
    materialized='incremental',
    unique_key='ticket_no',
    incremental_strategy='delete+insert',
    pre_hook=[
        "{{ remember_tested_loads() }}",
        "{{ delete_superseded('ticket_no', ref('stg_tickets__tickets')) }}",
    ],
) }}

with

tickets as (
    select * from {{ ref('stg_tickets__tickets') }}
    {{ new_loads_only() }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

closed as (
    select *
    from tickets
    where status = '办结' and closed_at is not null
),

measured as (
    select
        closed.ticket_no,
        closed.handler_id,
        date_trunc('month', closed.closed_at)::date as month_start,
        case
            when closed.due_at is not null then closed.closed_at <= closed.due_at
            else
                finished.workday_seq - created.workday_seq
                <= settings.ticket_default_due_working_days
        end as is_on_time,
        closed.responded_at is not null as has_response,
        closed.responded_at
        <= closed.created_at + to_hours(settings.ticket_response_hours::bigint) as is_responded_in_time,
        closed.satisfaction is not null and closed.satisfaction != '未评价' as is_rated,
        coalesce(closed.satisfaction in ('满意', '基本满意'), false) as is_satisfied,
        coalesce(closed.is_reopened, false) as is_reopened,
        closed.load_seq,
        closed.source_file,
        closed.source_row
    from closed
    cross join settings
    inner join calendar as created on created.calendar_date = closed.created_at::date
    inner join calendar as finished on finished.calendar_date = closed.closed_at::date
)

select * from measured
