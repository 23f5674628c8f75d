-- One row per person per period they were on the roster: days on the roster, and the job
-- category, office and staff type they held for most of those days (so a person who moved
-- office mid-year is scored in the category where they spent the most time). Every attribute
-- comes from that one version, and on a tie in days the later version wins: per-column
-- arg_max would pick any of the tied versions, column by column, and differently per engine.
with

versions as (
    select * from {{ ref('int_staff_versions') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

version_overlaps as (
    select
        versions.staff_id,
        versions.name,
        versions.department,
        versions.unit,
        versions.role_category,
        versions.staff_type,
        versions.oversees,
        versions.valid_from,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.days_covered,
        periods.is_complete,
        datediff(
            'day',
            greatest(versions.valid_from, periods.covered_from),
            least(coalesce(versions.valid_to, periods.covered_to), periods.covered_to)
        ) + 1 as days
    from versions
    inner join periods
        on
            versions.valid_from <= periods.covered_to
            and coalesce(versions.valid_to, periods.covered_to) >= periods.covered_from
),

final as (
    select
        staff_id,
        period_type,
        period_start,
        period_end,
        days_covered as days_in_period,
        is_complete as is_complete_period,
        sum(days) over (partition by staff_id, period_type, period_start) as days_on_roster,
        name,
        department,
        unit,
        role_category,
        staff_type,
        oversees
    from version_overlaps
    where days > 0
    qualify row_number() over (
        partition by staff_id, period_type, period_start
        order by days desc, valid_from desc
    ) = 1
)

select * from final
