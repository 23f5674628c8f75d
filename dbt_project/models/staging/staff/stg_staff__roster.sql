-- One row per person per roster date; a roster re-exported later replaces the earlier row.
with

source as (
    select * from {{ source('raw', 'staff') }}
),

latest as (
    {{ latest_version('source', "staff_id, as_of") }}
),

renamed as (
    select
        -- ids
        staff_id,
        -- attributes
        trim(name) as name,
        trim(department) as department,
        position,
        role_category,
        staff_type,
        rank,
        oversees,
        -- dates
        as_of,
        hired_on,
        left_on,
        post_since,
        -- lineage
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
