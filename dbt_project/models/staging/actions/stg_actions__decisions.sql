-- One row per result decision (person, period, action); the latest export wins.
with

source as (
    select * from {{ source('raw', 'actions') }}
),

latest as (
    {{ latest_version('source', "period, staff_id, coalesce(action, '')") }}
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
        final_grade,
        action,
        amount,
        -- dates
        notified_on,
        decided_on,
        applied_on,
        -- lineage
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
