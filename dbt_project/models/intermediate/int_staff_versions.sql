-- One row per person per unbroken stretch of identical roster attributes (SCD type 2).
-- Rosters come quarterly, so a change first seen on a roster dated D happened at some day after
-- the previous roster and by D. When the roster gives the day the person took up the post
-- (post_since) inside that gap, the version starts that day; otherwise on D. A person's first
-- version starts on their hiring date when it is known and earlier than the first roster.
-- Rebuilt from the dated roster exports on every build (not a dbt snapshot), so history loaded
-- in bulk or corrected later is dated by the rosters themselves, not by when it was loaded.
with

roster as (
    select * from {{ ref('stg_staff__roster') }}
),

marked as (
    select
        *,
        md5(concat_ws(
            '|', name, department, position, role_category, staff_type, rank,
            coalesce(oversees, '')
        )) as attributes_hash
    from roster
),

changes as (
    select
        *,
        coalesce(
            attributes_hash != lag(attributes_hash) over (partition by staff_id order by as_of),
            true
        ) as is_change
    from marked
),

numbered as (
    select
        *,
        sum(case when is_change then 1 else 0 end)
            over (partition by staff_id order by as_of) as version_no
    from changes
),

versions as (
    select
        staff_id,
        version_no,
        min(as_of) as first_seen_on,
        max(as_of) as last_seen_on,
        arg_max(name, as_of) as name,
        arg_max(department, as_of) as department,
        arg_max(position, as_of) as position,
        arg_max(role_category, as_of) as role_category,
        arg_max(staff_type, as_of) as staff_type,
        arg_max(rank, as_of) as rank,
        arg_max(oversees, as_of) as oversees,
        arg_max(post_since, as_of) as post_since,
        min(hired_on) as hired_on,
        max(left_on) as left_on
    from numbered
    group by staff_id, version_no
),

dated as (
    select
        *,
        case
            when
                post_since > lag(last_seen_on) over (partition by staff_id order by version_no)
                and post_since <= first_seen_on
                then post_since
            else first_seen_on
        end as starts_on
    from versions
),

person as (
    select
        staff_id,
        min(hired_on) as hired_on,
        max(left_on) as left_on,
        max(as_of) as last_roster_on
    from roster
    group by staff_id
),

latest_roster as (
    select max(as_of) as as_of from roster
),

bounded as (
    select
        versions.staff_id,
        versions.version_no,
        versions.name,
        versions.department,
        case
            when versions.department like '%·%' then split_part(versions.department, '·', 1)
            else 'town'
        end as unit,
        versions.position,
        versions.role_category,
        versions.staff_type,
        versions.rank,
        versions.oversees,
        person.hired_on,
        person.left_on,
        case
            when versions.version_no = 1
                then least(versions.first_seen_on, coalesce(person.hired_on, versions.first_seen_on))
            else versions.starts_on
        end as valid_from,
        lead(versions.starts_on) over (
            partition by versions.staff_id order by versions.version_no
        ) - interval 1 day as next_version_day_before,
        -- someone missing from the latest roster without a leaving date left after their last roster
        person.last_roster_on,
        person.last_roster_on < latest_roster.as_of and person.left_on is null as dropped_off
    from dated as versions
    inner join person on versions.staff_id = person.staff_id
    cross join latest_roster
),

final as (
    select
        staff_id,
        version_no,
        name,
        department,
        unit,
        position,
        role_category,
        staff_type,
        rank,
        oversees,
        hired_on,
        left_on,
        valid_from::date as valid_from,
        coalesce(
            next_version_day_before::date,
            left_on,
            case when dropped_off then last_roster_on end
        ) as valid_to,
        next_version_day_before is null and left_on is null and not dropped_off as is_current
    from bounded
)

select * from final
