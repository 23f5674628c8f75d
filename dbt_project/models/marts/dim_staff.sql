-- One row per person per version of their roster attributes (SCD type 2).
with

versions as (
    select * from {{ ref('int_staff_versions') }}
),

final as (
    select
        -- ids
        staff_id,
        version_no::integer as version_no,
        -- personal
        name,
        -- attributes
        department,
        unit,
        position,
        role_category,
        staff_type,
        rank,
        oversees,
        -- dates
        hired_on,
        left_on,
        valid_from,
        valid_to,
        is_current
    from versions
)

select * from final
