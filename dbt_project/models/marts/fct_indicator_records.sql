-- One row per record per person credited with it: the cases, tickets and tasks behind every
-- indicator value, so each figure drills down to the lines of the town's exports.
-- Incremental: a build adds the records of new loads and replaces the ones exported again.
-- Key tasks fall due as the data's "as of" date moves, so their rows are rebuilt every time.
{{ config(
    materialized='incremental',
    unique_key=['record_type', 'record_no'],
    incremental_strategy='delete+insert',
    pre_hook=[
        "{{ delete_superseded('record_no', ref('stg_approvals__cases'), 'case_no', \"record_type = 'approvals'\") }}",
        "{{ delete_superseded('record_no', ref('stg_tickets__tickets'), 'ticket_no', \"record_type = 'tickets'\") }}",
        "{{ delete_superseded('record_no', ref('stg_cases__cases'), 'case_no', \"record_type = 'cases'\") }}",
        "{% if is_incremental() %}delete from {{ this }} where record_type = 'tasks'{% else %}select 1{% endif %}",
    ],
) }}

with

approvals as (
    select * from {{ ref('int_approvals_measured') }}
    {{ new_loads_only() }}
),

approval_cases as (
    select * from {{ ref('stg_approvals__cases') }}
),

tickets as (
    select * from {{ ref('int_tickets_measured') }}
    {{ new_loads_only() }}
),

ticket_rows as (
    select * from {{ ref('stg_tickets__tickets') }}
),

case_credits as (
    select * from {{ ref('int_case_credits') }}
    {{ new_loads_only() }}
),

case_rows as (
    select * from {{ ref('stg_cases__cases') }}
),

tasks as (
    select * from {{ ref('int_tasks_measured') }}
),

task_rows as (
    select * from {{ ref('stg_tasks__tasks') }}
),

approval_records as (
    select
        approvals.handler_id as staff_id,
        approvals.month_start,
        'approvals' as record_type,
        'appr_workload,appr_on_time_rate,appr_time_ratio,appr_good_rating_rate'
            as indicator_codes,
        approvals.case_no as record_no,
        coalesce(approval_cases.matter_name, approvals.matter_code) as detail,
        approval_cases.received_at as started_at,
        approval_cases.completed_at as finished_at,
        approvals.promised_days::varchar || ' 工作日' as promised,
        approvals.working_days_used::double as working_days_used,
        approvals.is_on_time,
        approvals.rating as outcome,
        approvals.workload_weight as credit,
        approvals.load_seq,
        approvals.source_file,
        approvals.source_row
    from approvals
    inner join approval_cases on approvals.case_no = approval_cases.case_no
),

ticket_records as (
    select
        tickets.handler_id as staff_id,
        tickets.month_start,
        'tickets' as record_type,
        'tkt_workload,tkt_on_time_rate,tkt_response_rate,tkt_satisfaction_rate,tkt_reopen_rate'
            as indicator_codes,
        tickets.ticket_no as record_no,
        concat_ws(' · ', ticket_rows.ticket_source, ticket_rows.category) as detail,
        ticket_rows.created_at as started_at,
        ticket_rows.closed_at as finished_at,
        coalesce(strftime(ticket_rows.due_at, '%Y-%m-%d %H:%M'), '5 工作日') as promised,
        null::double as working_days_used,
        tickets.is_on_time,
        concat_ws(' · ', ticket_rows.satisfaction, case when tickets.is_reopened then '重办' end)
            as outcome,
        1.0 as credit,
        tickets.load_seq,
        tickets.source_file,
        tickets.source_row
    from tickets
    inner join ticket_rows on tickets.ticket_no = ticket_rows.ticket_no
),

case_records as (
    select
        case_credits.staff_id,
        case_credits.month_start,
        'cases' as record_type,
        case
            when case_credits.credit_role = 'lead'
                then 'case_workload,case_on_time_rate,case_corrected_rate'
            else 'case_workload'
        end as indicator_codes,
        case_credits.case_no as record_no,
        concat_ws(
            ' · ', case_rows.procedure, case_rows.domain,
            case when case_credits.credit_role = 'co' then '协办' else '主办' end
        ) as detail,
        case_rows.filed_on::timestamp as started_at,
        case_rows.closed_on::timestamp as finished_at,
        case when case_rows.procedure = '简易程序' then '当场' else '90 日' end as promised,
        null::double as working_days_used,
        case_credits.is_on_time,
        case_rows.review_outcome as outcome,
        case_credits.workload as credit,
        case_credits.load_seq,
        case_credits.source_file,
        case_credits.source_row
    from case_credits
    inner join case_rows on case_credits.case_no = case_rows.case_no
),

task_records as (
    select
        tasks.staff_id,
        tasks.month_start,
        'tasks' as record_type,
        'task_on_time_rate' as indicator_codes,
        tasks.task_id as record_no,
        task_rows.title as detail,
        task_rows.assigned_on::timestamp as started_at,
        task_rows.done_on::timestamp as finished_at,
        strftime(task_rows.due_on, '%Y-%m-%d') as promised,
        null::double as working_days_used,
        tasks.is_on_time,
        case when task_rows.done_on is null then '未完成' end as outcome,
        tasks.weight as credit,
        tasks.load_seq,
        tasks.source_file,
        tasks.source_row
    from tasks
    inner join task_rows on tasks.task_id = task_rows.task_id
),

final as (
    select * from approval_records
    union all
    select * from ticket_records
    union all
    select * from case_records
    union all
    select * from task_records
)

-- Stored by person: the dashboard reads one person's records at a time, and DuckDB then skips
-- every row group that holds none of theirs.
select * from final
order by staff_id, month_start
