-- One row per approval case: the latest exported version of each case number.
with

source as (
    select * from {{ source('raw', 'approvals') }}
),

latest as (
    {{ latest_version('source', "case_no") }}
),

renamed as (
    select
        -- ids
        case_no,
        matter_code,
        handler_id,
        -- attributes
        matter_name,
        status,
        channel,
        rating,
        promised_days,
        -- timestamps
        received_at,
        completed_at,
        -- lineage
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
