-- One row per person, period (month, quarter, year) and quantitative indicator: the monthly
-- counts summed up to each period type.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}",
) }}
-- depends_on: {{ ref('int_period_inputs') }}
with

monthly as (
    select * from {{ ref('int_indicator_counts_monthly') }}
),

expanded as (
    select
        'month' as period_type,
        month_start as period_start,
        * exclude (month_start)
    from monthly
    union all
    select
        'quarter' as period_type,
        date_trunc('quarter', month_start)::date as period_start,
        * exclude (month_start)
    from monthly
    union all
    select
        'year' as period_type,
        date_trunc('year', month_start)::date as period_start,
        * exclude (month_start)
    from monthly
),

final as (
    select
        staff_id,
        period_type,
        period_start,
        indicator_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(n) as n
    from expanded
    {{- rebuilt_periods_only() }}
    group by all
)

select * from final
