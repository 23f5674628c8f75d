-- One row per person: their row on the newest roster that lists them (what the snapshot of the
-- roster records at each build).
with

roster as (
    select * from {{ ref('stg_staff__roster') }}
),

final as (
    select
        staff_id,
        name,
        department,
        position,
        role_category,
        staff_type,
        rank,
        oversees,
        hired_on,
        left_on,
        post_since,
        as_of,
        -- the snapshot's change time: the roster's date (a timestamp, as dbt's columns are)
        as_of::timestamp as roster_at
    from roster
    qualify row_number() over (partition by staff_id order by as_of desc) = 1
)

select * from final
