-- The working-day calendar follows the State Council's 2025 holiday notice: 调休 make-up
-- Sundays and Saturdays are working days, holidays and the days off swapped into them are not,
-- an ordinary weekend is not, and workday_seq counts only working days. Returns each date
-- where the calendar disagrees. A date outside the calendar's span is skipped (the model
-- covers fixed years, 2018-2030 today, not the data window); a date missing inside it fails.
with

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

span as (
    select
        min(calendar_date) as first_day,
        max(calendar_date) as last_day
    from calendar
),

expected (calendar_date, is_working_day) as (
    values
    -- make-up working days (调休)
    ('2025-01-26'::date, true),
    ('2025-02-08'::date, true),
    ('2025-04-27'::date, true),
    ('2025-09-28'::date, true),
    ('2025-10-11'::date, true),
    -- Spring Festival, with the days off swapped from 26 Jan and 8 Feb
    ('2025-01-28'::date, false),
    ('2025-01-31'::date, false),
    ('2025-02-03'::date, false),
    ('2025-02-04'::date, false),
    -- Labour Day, with the day off swapped from 27 Apr
    ('2025-05-01'::date, false),
    ('2025-05-05'::date, false),
    -- National Day and Mid-Autumn, 1-8 Oct
    ('2025-10-01'::date, false),
    ('2025-10-02'::date, false),
    ('2025-10-03'::date, false),
    ('2025-10-04'::date, false),
    ('2025-10-05'::date, false),
    ('2025-10-06'::date, false),
    ('2025-10-07'::date, false),
    ('2025-10-08'::date, false),
    -- an ordinary Saturday and an ordinary Thursday
    ('2025-10-18'::date, false),
    ('2025-10-09'::date, true)
),

wrong_days as (
    select
        expected.calendar_date,
        expected.is_working_day as expected_working_day,
        calendar.is_working_day as calendar_working_day
    from expected
    cross join span
    left join calendar on expected.calendar_date = calendar.calendar_date
    where
        expected.calendar_date between span.first_day and span.last_day
        and calendar.is_working_day is distinct from expected.is_working_day
),

-- working days between two dates: 30 Sep -> 9 Oct is 1, 10 Oct -> 13 Oct is 2 (11 Oct counts)
expected_gaps (from_day, to_day, working_days) as (
    values
    ('2025-09-30'::date, '2025-10-09'::date, 1),
    ('2025-10-10'::date, '2025-10-13'::date, 2),
    ('2025-01-24'::date, '2025-02-07'::date, 5)
),

wrong_gaps as (
    select
        expected_gaps.from_day,
        expected_gaps.to_day,
        expected_gaps.working_days,
        to_day.workday_seq - from_day.workday_seq as calendar_working_days
    from expected_gaps
    cross join span
    left join calendar as from_day on expected_gaps.from_day = from_day.calendar_date
    left join calendar as to_day on expected_gaps.to_day = to_day.calendar_date
    where
        expected_gaps.from_day >= span.first_day
        and expected_gaps.to_day <= span.last_day
        and (to_day.workday_seq - from_day.workday_seq) is distinct from expected_gaps.working_days
),

final as (
    select
        'day' as check_kind,
        calendar_date as from_day,
        null::date as to_day,
        expected_working_day::varchar as expected,
        calendar_working_day::varchar as found
    from wrong_days
    union all
    select
        'working days between' as check_kind,
        from_day,
        to_day,
        working_days::varchar as expected,
        calendar_working_days::varchar as found
    from wrong_gaps
)

select * from final
