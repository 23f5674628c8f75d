-- One row per person, period and indicator, scored 0-100 by percentile within job category
-- and period. Leaders get one more indicator, the mean quantitative score of the staff in the
-- offices they oversee, so it is computed from the non-leaders' scores first.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}",
) }}
-- depends_on: {{ ref('int_period_inputs') }}
with

base as (
    select * from {{ ref('int_indicator_values_base') }}
    {{- rebuilt_periods_only() }}
),

staff_periods as (
    select * from {{ ref('int_staff_periods') }}
    {{- rebuilt_periods_only() }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

weights as (
    select * from {{ ref('indicator_weights') }}
),

base_scored as (
    select
        *,
        {{ percentile_score(
            'value_adjusted', 'direction',
            'role_category, period_type, period_start, indicator_code', 'is_sufficient'
        ) }} as score,
        case when department like '%·%' then split_part(department, '·', 2) else department end
            as office_name
    from base
),

overseen as (
    select
        staff_periods.*,
        trim(unnest(string_split(staff_periods.oversees, '、'))) as office_name
    from staff_periods
    where staff_periods.role_category = '领导' and staff_periods.oversees is not null
),

leader_values as (
    select
        overseen.staff_id,
        overseen.period_type,
        overseen.period_start,
        overseen.role_category,
        overseen.department,
        overseen.unit,
        indicators.indicator_code,
        indicators.kind,
        indicators.direction,
        count(distinct base_scored.staff_id) as n,
        avg(base_scored.score) as value,
        avg(base_scored.score) as value_adjusted,
        count(distinct base_scored.staff_id) >= any_value(indicators.min_n) as is_sufficient
    from overseen
    inner join weights on overseen.role_category = weights.role_category
    inner join indicators
        on weights.indicator_code = indicators.indicator_code and indicators.kind = 'derived'
    left join base_scored
        on
            overseen.unit = base_scored.unit
            and overseen.office_name = base_scored.office_name
            and overseen.period_type = base_scored.period_type
            and overseen.period_start = base_scored.period_start
            and base_scored.role_category != '领导'
            and base_scored.kind != 'rating'
            and base_scored.score is not null
    group by
        overseen.staff_id,
        overseen.period_type,
        overseen.period_start,
        overseen.role_category,
        overseen.department,
        overseen.unit,
        indicators.indicator_code,
        indicators.kind,
        indicators.direction
),

-- the leaders' indicator is scored in partitions of its own (indicator_code is part of every
-- partition), so the other rows keep the scores computed above
leader_scored as (
    select
        *,
        {{ percentile_score(
            'value_adjusted', 'direction',
            'role_category, period_type, period_start, indicator_code', 'is_sufficient'
        ) }} as score
    from leader_values
),

final as (
    select * exclude (office_name) from base_scored
    union all
    select * from leader_scored
)

select * from final
