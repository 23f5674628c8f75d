-- One row per completed approval case, with the working days it took and whether it met
-- its promise. Working days come from the official calendar (调休 included).
{{ config(
    materialized='incremental',
    unique_key='case_no',
    incremental_strategy='delete+insert',
    pre_hook=[
        "{{ remember_tested_loads() }}",
        "{{ delete_superseded('case_no', ref('stg_approvals__cases')) }}",
    ],
) }}

with

approvals as (
    select * from {{ ref('stg_approvals__cases') }}
    {{ new_loads_only() }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

matters as (
    select * from {{ ref('matter_weights') }}
),

completed as (
    select *
    from approvals
    where status = '办结' and completed_at is not null
),

measured as (
    select
        completed.case_no,
        completed.handler_id,
        completed.matter_code,
        date_trunc('month', completed.completed_at)::date as month_start,
        completed.promised_days,
        coalesce(matters.workload_weight, 1.0) as workload_weight,
        finished.workday_seq - received.workday_seq as working_days_used,
        completed.rating,
        completed.load_seq,
        completed.source_file,
        completed.source_row
    from completed
    inner join calendar as received on received.calendar_date = completed.received_at::date
    inner join calendar as finished on finished.calendar_date = completed.completed_at::date
    left join matters on completed.matter_code = matters.matter_code
),

final as (
    select
        *,
        working_days_used <= promised_days as is_on_time,
        working_days_used / greatest(promised_days, 1) as time_ratio,
        rating is not null as is_rated,
        coalesce(rating in ('非常满意', '满意'), false) as is_good_rating
    from measured
)

select * from final
