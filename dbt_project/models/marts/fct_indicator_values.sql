-- One row per person, period (month, quarter, year) and indicator of their job category.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}",
) }}
-- depends_on: {{ ref('int_period_inputs') }}
with

scored as (
    select * from {{ ref('int_indicator_values_scored') }}
    {{- rebuilt_periods_only() }}
),

final as (
    select
        -- keys
        staff_id,
        period_type,
        period_start,
        indicator_code,
        -- context
        role_category,
        department,
        unit,
        -- measures
        value,
        value_adjusted,
        n::bigint as n,
        score,
        is_sufficient
    from scored
)

-- Stored by person: the dashboard reads one person's rows at a time, and DuckDB then skips
-- every row group that holds none of theirs.
select * from final
order by staff_id, period_type, period_start, indicator_code
