-- One row per assessment period (month, quarter, year) inside the data window, with the days
-- of the period that the window covers (the base for pro-rating volumes).
with

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

data_window as (
    select * from {{ ref('int_data_window') }}
),

days as (
    select calendar.*
    from calendar
    cross join data_window
    where calendar.calendar_date between data_window.first_month and data_window.data_through
),

expanded as (
    select
        'month' as period_type,
        month_start as period_start,
        calendar_date,
        is_working_day
    from days
    union all
    select
        'quarter' as period_type,
        date_trunc('quarter', calendar_date)::date as period_start,
        calendar_date,
        is_working_day
    from days
    union all
    select
        'year' as period_type,
        date_trunc('year', calendar_date)::date as period_start,
        calendar_date,
        is_working_day
    from days
),

covered as (
    select
        period_type,
        period_start,
        {{ period_end('period_type', 'period_start') }} as period_end,
        min(calendar_date) as covered_from,
        max(calendar_date) as covered_to,
        count(*) as days_covered,
        count_if(is_working_day) as working_days_covered
    from expanded
    group by period_type, period_start
),

final as (
    select
        *,
        covered_from = period_start and covered_to = period_end as is_complete
    from covered
)

select * from final
