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

-- Stored by person: the dashboard reads one person's rows at a time, and DuckDB then skips
-- every row group that holds none of theirs.
select * from final
order by staff_id, period_start
