-- One row per indicator of the catalog, as the methodology page and the dashboard label it.
with

indicators as (
    select * from {{ ref('indicators') }}
),

weights as (
    select * from {{ ref('indicator_weights') }}
),

categories_of as (
    select
        indicator_code,
        string_agg(role_category, '、' order by role_category) as role_categories
    from weights
    group by indicator_code
),

final as (
    select
        indicators.indicator_code,
        indicators.name_zh,
        indicators.name_en,
        indicators.kind,
        indicators.direction,
        indicators.unit,
        indicators.owner_zh,
        indicators.owner_en,
        indicators.formula_zh,
        indicators.formula_en,
        indicators.min_n,
        categories_of.role_categories
    from indicators
    left join categories_of on indicators.indicator_code = categories_of.indicator_code
)

select * from final
