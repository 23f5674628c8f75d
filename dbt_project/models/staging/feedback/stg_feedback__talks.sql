-- One row per feedback talk, review request or appeal; the latest export wins.
with

source as (
    select * from {{ source('raw', 'feedback') }}
),

latest as (
    {{ latest_version('source', "period, staff_id, kind, held_on") }}
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
        kind,
        outcome,
        -- dates
        held_on,
        resolved_on,
        -- lineage
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
