-- One row per person, period and rating indicator (supervisor, peer, public): the rater-count
-- weighted score. A year without an annual rating takes the mean of its quarterly ratings.
with

ratings as (
    select * from {{ ref('stg_ratings__ratings') }}
),

coded as (
    select
        *,
        case rater_type
            when '上级' then 'rating_supervisor'
            when '同事' then 'rating_peer'
            when '群众' then 'rating_public'
        end as indicator_code
    from ratings
    where rater_type != '自评'
),

stated as (
    select
        staff_id,
        period_type,
        period_start,
        indicator_code,
        sum(score * rater_count) / nullif(sum(rater_count), 0) as score,
        sum(rater_count) as n
    from coded
    group by all
),

from_quarters as (
    select
        staff_id,
        'year' as period_type,
        date_trunc('year', period_start)::date as period_start,
        indicator_code,
        avg(score) as score,
        sum(n) as n
    from stated
    where period_type = 'quarter'
    group by all
),

final as (
    select * from stated
    union all
    select from_quarters.*
    from from_quarters
    anti join stated
        on
            from_quarters.staff_id = stated.staff_id
            and stated.period_type = 'year'
            and from_quarters.period_start = stated.period_start
            and from_quarters.indicator_code = stated.indicator_code
)

select * from final
