-- One row per person per period they were on the roster: days on the roster, and the job
-- category, office and staff type they held for most of those days (so a person who moved
-- office mid-year is scored in the category where they spent the most time).
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
        any_value(period_end) as period_end,
        any_value(days_covered) as days_in_period,
        any_value(is_complete) as is_complete_period,
        sum(days) as days_on_roster,
        arg_max(name, days) as name,
        arg_max(department, days) as department,
        arg_max(unit, days) as unit,
        arg_max(role_category, days) as role_category,
        arg_max(staff_type, days) as staff_type,
        arg_max(oversees, days) as oversees
    from version_overlaps
    where days > 0
    group by staff_id, period_type, period_start
)

select * from final
