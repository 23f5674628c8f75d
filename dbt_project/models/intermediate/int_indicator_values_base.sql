-- One row per person, period and indicator of their job category (from the weights seed),
-- except the leadership indicator derived from other people's scores. Holds the raw value,
-- n, and the adjusted value: volumes pro-rated by days on the roster, rates shrunk toward the
-- category mean, ratings as given.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}",
) }}
-- depends_on: {{ ref('int_period_inputs') }}
with

staff_periods as (
    select * from {{ ref('int_staff_periods') }}
    {{- rebuilt_periods_only() }}
),

weights as (
    select * from {{ ref('indicator_weights') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

counts as (
    select * from {{ ref('int_indicator_counts') }}
    {{- rebuilt_periods_only() }}
),

ratings as (
    select * from {{ ref('int_ratings_by_period') }}
    {{- rebuilt_periods_only() }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

grid as (
    select
        staff_periods.staff_id,
        staff_periods.period_type,
        staff_periods.period_start,
        staff_periods.role_category,
        staff_periods.department,
        staff_periods.unit,
        staff_periods.days_in_period,
        staff_periods.days_on_roster,
        indicators.indicator_code,
        indicators.kind,
        indicators.direction,
        indicators.min_n
    from staff_periods
    inner join weights on staff_periods.role_category = weights.role_category
    inner join indicators on weights.indicator_code = indicators.indicator_code
    where indicators.kind in ('volume', 'rate', 'ratio')
),

quantitative as (
    select
        grid.*,
        coalesce(counts.numerator, 0) as numerator,
        coalesce(counts.denominator, 0) as denominator,
        coalesce(counts.n, 0) as n
    from grid
    left join counts
        on
            grid.staff_id = counts.staff_id
            and grid.period_type = counts.period_type
            and grid.period_start = counts.period_start
            and grid.indicator_code = counts.indicator_code
),

with_category_mean as (
    select
        *,
        sum(numerator) over category_period
        / nullif(sum(denominator) over category_period, 0) as category_mean
    from quantitative
    window category_period as (
        partition by role_category, period_type, period_start, indicator_code
    )
),

quantitative_values as (
    select
        quantitative.staff_id,
        quantitative.period_type,
        quantitative.period_start,
        quantitative.role_category,
        quantitative.department,
        quantitative.unit,
        quantitative.indicator_code,
        quantitative.kind,
        quantitative.direction,
        quantitative.n,
        case
            when quantitative.kind = 'volume' then quantitative.numerator
            else quantitative.numerator / nullif(quantitative.denominator, 0)
        end as value,
        case
            when quantitative.kind = 'volume'
                then
                    quantitative.numerator * quantitative.days_in_period
                    / nullif(quantitative.days_on_roster, 0)
            else
                (quantitative.numerator + settings.shrinkage_m * quantitative.category_mean)
                / nullif(quantitative.denominator + settings.shrinkage_m, 0)
        end as value_adjusted,
        case
            when quantitative.kind = 'volume'
                then quantitative.days_on_roster > 0 and quantitative.n >= quantitative.min_n
            else quantitative.n >= quantitative.min_n
        end as is_sufficient
    from with_category_mean as quantitative
    cross join settings
),

rating_values as (
    select
        staff_periods.staff_id,
        staff_periods.period_type,
        staff_periods.period_start,
        staff_periods.role_category,
        staff_periods.department,
        staff_periods.unit,
        indicators.indicator_code,
        indicators.kind,
        indicators.direction,
        ratings.n,
        ratings.score as value,
        ratings.score as value_adjusted,
        ratings.n >= indicators.min_n as is_sufficient
    from staff_periods
    inner join weights on staff_periods.role_category = weights.role_category
    inner join indicators on weights.indicator_code = indicators.indicator_code
    inner join ratings
        on
            staff_periods.staff_id = ratings.staff_id
            and staff_periods.period_type = ratings.period_type
            and staff_periods.period_start = ratings.period_start
            and indicators.indicator_code = ratings.indicator_code
    where indicators.kind = 'rating'
),

final as (
    select * from quantitative_values
    union all
    select * from rating_values
)

select * from final
