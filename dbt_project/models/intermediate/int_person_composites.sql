-- One row per person and period: the weighted quantitative and qualitative scores, blended at
-- the category's qualitative share. Weights of an indicator without a score are re-spread over
-- those with one; the row is flagged, and below the category's minimum coverage the person has
-- insufficient data. A rating that was never given counts as missing too (it has no row).
-- Ratings are given per quarter and year, so a month's composite is quantitative only and a
-- month is not flagged for lacking them.
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

weights as (
    select * from {{ ref('indicator_weights') }}
),

categories as (
    select * from {{ ref('role_categories') }}
),

weighted as (
    select
        scored.*,
        weights.weight,
        scored.kind = 'rating' as is_qualitative
    from scored
    inner join weights
        on
            scored.role_category = weights.role_category
            and scored.indicator_code = weights.indicator_code
),

category_weights as (
    select
        weights.role_category,
        sum(case when indicators.kind != 'rating' then weights.weight else 0 end)
            as quantitative_weight,
        count_if(indicators.kind != 'rating') as quantitative_indicators,
        count_if(indicators.kind = 'rating') as rating_indicators
    from weights
    inner join {{ ref('indicators') }} as indicators
        on weights.indicator_code = indicators.indicator_code
    group by weights.role_category
),

per_person as (
    select
        staff_id,
        period_type,
        period_start,
        any_value(role_category) as role_category,
        any_value(department) as department,
        any_value(unit) as unit,
        sum(case when not is_qualitative and score is not null then score * weight end)
        / nullif(sum(case when not is_qualitative and score is not null then weight end), 0)
            as quantitative_score,
        sum(case when is_qualitative and score is not null then score * weight end)
        / nullif(sum(case when is_qualitative and score is not null then weight end), 0)
            as qualitative_score,
        coalesce(sum(case when not is_qualitative and score is not null then weight end), 0)
            as scored_quantitative_weight,
        count_if(score is not null) as indicators_scored
    from weighted
    group by staff_id, period_type, period_start
),

expected as (
    select
        per_person.*,
        category_weights.quantitative_indicators
        + case
            when per_person.period_type = 'month' then 0
            else category_weights.rating_indicators
        end as indicators_expected
    from per_person
    inner join category_weights on per_person.role_category = category_weights.role_category
),

final as (
    select
        per_person.staff_id,
        per_person.period_type,
        per_person.period_start,
        per_person.role_category,
        per_person.department,
        per_person.unit,
        per_person.quantitative_score,
        per_person.qualitative_score,
        case
            when per_person.quantitative_score is null then per_person.qualitative_score
            when per_person.qualitative_score is null then per_person.quantitative_score
            else
                (1 - categories.qualitative_share) * per_person.quantitative_score
                + categories.qualitative_share * per_person.qualitative_score
        end as composite_score,
        per_person.scored_quantitative_weight
        / nullif(category_weights.quantitative_weight, 0) as quantitative_coverage,
        per_person.indicators_scored,
        per_person.indicators_expected - per_person.indicators_scored as indicators_missing,
        per_person.indicators_expected > per_person.indicators_scored as has_missing_indicators,
        coalesce(
            per_person.scored_quantitative_weight
            / nullif(category_weights.quantitative_weight, 0) < categories.min_coverage,
            true
        ) as insufficient_data
    from expected as per_person
    inner join categories on per_person.role_category = categories.role_category
    inner join category_weights on per_person.role_category = category_weights.role_category
)

select * from final
