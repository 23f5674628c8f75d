-- One row per closed enforcement case per officer credited: the lead officer with the full
-- workload and the timeliness and review measures, the co-officer with a share of the workload.
{{ config(
    materialized='incremental',
    unique_key='case_no',
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_superseded('case_no', ref('stg_cases__cases')) }}",
) }}

with

cases as (
    select * from {{ ref('stg_cases__cases') }}
    {{ new_loads_only() }}
),

procedures as (
    select * from {{ ref('procedure_weights') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

closed as (
    select
        cases.*,
        coalesce(procedures.workload_weight, 1.0) as workload_weight,
        date_trunc('month', cases.closed_on)::date as month_start,
        case
            when cases.procedure = '简易程序' then cases.decided_on = cases.filed_on
            else datediff('day', cases.filed_on, cases.decided_on) <= settings.case_ordinary_days
        end as is_on_time
    from cases
    cross join settings
    left join procedures on cases.procedure = procedures.procedure
    where cases.status = '结案' and cases.closed_on is not null
),

lead_credit as (
    select
        case_no,
        lead_officer_id as staff_id,
        'lead' as credit_role,
        month_start,
        workload_weight as workload,
        coalesce(is_on_time, false) as is_on_time,
        -- 无 means the case went to no review or litigation: no outcome to count
        coalesce(review_outcome in ('维持', '纠错'), false) as has_review_outcome,
        review_outcome = '纠错' as is_corrected,
        load_seq,
        source_file,
        source_row
    from closed
),

co_credit as (
    select
        closed.case_no,
        closed.co_officer_id as staff_id,
        'co' as credit_role,
        closed.month_start,
        closed.workload_weight * settings.case_co_officer_share as workload,
        null::boolean as is_on_time,
        null::boolean as has_review_outcome,
        null::boolean as is_corrected,
        closed.load_seq,
        closed.source_file,
        closed.source_row
    from closed
    cross join settings
    where closed.co_officer_id is not null and closed.co_officer_id != closed.lead_officer_id
),

final as (
    select * from lead_credit
    union all
    select * from co_credit
)

select * from final
