-- One row per person, period (month, quarter, year) and indicator of their job category.
with

scored as (
    select * from {{ ref('int_indicator_values_scored') }}
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

select * from final
