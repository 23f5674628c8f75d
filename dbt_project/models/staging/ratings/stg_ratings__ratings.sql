-- One row per rater group, person and assessment period (latest export wins).
with

source as (
    select * from {{ source('raw', 'ratings') }}
),

latest as (
    {{ latest_version('source', "period, staff_id, rater_type") }}
),

renamed as (
    select
        -- ids
        staff_id,
        -- period
        period as period_label,
        {{ period_type('period') }} as period_type,
        {{ period_start('period') }} as period_start,
        -- attributes
        rater_type,
        score,
        coalesce(rater_count, 1) as rater_count,
        -- lineage
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
