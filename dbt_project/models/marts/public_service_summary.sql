-- One row per month, scope (the town, or an office) and service metric. Aggregates only: no
-- name or id, and an office figure is published only when at least k people contributed.
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

staff_months as (
    select * from {{ ref('int_staff_periods') }}
    where period_type = 'month'
),

settings as (
    select * from {{ ref('int_settings') }}
),

records as (
    select
        month_start,
        handler_id as staff_id,
        'approvals' as record_type,
        is_on_time::int::double as on_time,
        working_days_used::double as working_days,
        null::double as is_rated,
        null::double as is_satisfied
    from approvals
    union all
    select
        month_start,
        handler_id as staff_id,
        'tickets' as record_type,
        is_on_time::int as on_time,
        null as working_days,
        is_rated::int as is_rated,
        is_satisfied::int as is_satisfied
    from tickets
    union all
    select
        month_start,
        staff_id,
        'cases' as record_type,
        is_on_time::int as on_time,
        null as working_days,
        null as is_rated,
        null as is_satisfied
    from case_credits
    where credit_role = 'lead'
),

-- Sums and counts per person first: every figure below is a ratio of sums, so the scopes
-- add up a few rows per person and month instead of every record twice.
per_person as (
    select
        month_start,
        staff_id,
        record_type,
        count(*) as records,
        sum(on_time) as on_time_sum,
        count(on_time) as on_time_n,
        sum(working_days) as working_days_sum,
        count(working_days) as working_days_n,
        sum(is_rated) as rated,
        sum(is_satisfied) as satisfied
    from records
    group by all
),

located as (
    select
        per_person.*,
        staff_months.department
    from per_person
    left join staff_months
        on
            per_person.staff_id = staff_months.staff_id
            and per_person.month_start = staff_months.period_start
),

scoped as (
    select
        *,
        'town' as scope_type,
        '全镇' as scope
    from located
    union all
    select
        *,
        'department' as scope_type,
        department as scope
    from located
    where department is not null
),

aggregated as (
    select
        month_start as period_start,
        scope_type,
        scope,
        record_type,
        sum(records) as records,
        sum(on_time_sum) / nullif(sum(on_time_n), 0) as on_time_rate,
        sum(working_days_sum) / nullif(sum(working_days_n), 0) as avg_working_days,
        sum(satisfied) / nullif(sum(rated), 0) as satisfaction_rate,
        -- people behind the figure; unattributed records count for no one
        count(distinct case when department is not null then staff_id end) as contributors
    from scoped
    group by all
),

metrics as (
    select
        period_start,
        scope_type,
        scope,
        'approvals_completed' as metric,
        records::double as value,
        contributors
    from aggregated
    where record_type = 'approvals'
    union all
    select
        period_start,
        scope_type,
        scope,
        'approvals_on_time_rate' as metric,
        on_time_rate as value,
        contributors
    from aggregated
    where record_type = 'approvals'
    union all
    select
        period_start,
        scope_type,
        scope,
        'approvals_avg_working_days' as metric,
        avg_working_days as value,
        contributors
    from aggregated
    where record_type = 'approvals'
    union all
    select
        period_start,
        scope_type,
        scope,
        'tickets_closed' as metric,
        records::double as value,
        contributors
    from aggregated
    where record_type = 'tickets'
    union all
    select
        period_start,
        scope_type,
        scope,
        'tickets_satisfaction_rate' as metric,
        satisfaction_rate as value,
        contributors
    from aggregated
    where record_type = 'tickets'
    union all
    select
        period_start,
        scope_type,
        scope,
        'cases_closed' as metric,
        records::double as value,
        contributors
    from aggregated
    where record_type = 'cases'
),

final as (
    select
        metrics.period_start,
        metrics.scope_type,
        metrics.scope,
        metrics.metric,
        metrics.value,
        metrics.contributors::integer as contributors
    from metrics
    cross join settings
    where
        metrics.contributors >= settings.k_anonymity
        and metrics.value is not null
)

select * from final
