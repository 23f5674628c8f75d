-- One row per person, assessment period and rater group (self-assessment included, though it
-- is not scored).
with

ratings as (
    select * from {{ ref('stg_ratings__ratings') }}
),

final as (
    select
        staff_id,
        period_type,
        period_start,
        period_label,
        rater_type,
        score,
        rater_count
    from ratings
)

select * from final
