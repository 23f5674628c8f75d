-- The annual 优秀 recommendations of a unit never exceed the quota of its assessed civil servants.
with

scores as (
    select * from {{ ref('fct_person_scores') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

per_unit as (
    select
        unit,
        period_start,
        count(*) as assessed,
        count_if(grade_recommendation = '优秀') as excellent
    from scores
    where period_type = 'year' and staff_type in ('公务员', '参公')
    group by unit, period_start
)

select per_unit.*
from per_unit
cross join settings
where per_unit.excellent > floor(settings.excellent_quota * per_unit.assessed)
