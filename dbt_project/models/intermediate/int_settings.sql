-- One row holding every numeric setting of the settings seed as a typed column, so models
-- read a rule by name (settings.shrinkage_m) and the methodology page reads the same seed.
with

settings as (
    select * from {{ ref('settings') }}
),

final as (
    pivot (select
        setting,
        value
    from settings) on setting using any_value(cast(value as double))
)

select * from final
