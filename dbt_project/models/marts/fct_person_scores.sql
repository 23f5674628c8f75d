-- One row per person and period: composite score, rank within the job category, movement
-- against the previous period, and for a year the grade recommendation within the quota.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}",
) }}
-- depends_on: {{ ref('int_period_inputs') }}
with

composites as (
    select * from {{ ref('int_person_composites') }}
    {{- rebuilt_periods_only() }}
),

staff_periods as (
    select * from {{ ref('int_staff_periods') }}
    {{- rebuilt_periods_only() }}
),

decisions as (
    select * from {{ ref('stg_actions__decisions') }}
),

eligibility as (
    select * from {{ ref('grade_eligibility') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

ranked as (
    select
        composites.*,
        staff_periods.staff_type,
        staff_periods.is_complete_period,
        case
            when not composites.insufficient_data then
                rank() over (
                    partition by
                        composites.role_category, composites.period_type, composites.period_start,
                        composites.insufficient_data
                    order by round(composites.composite_score, 9) desc
                )
        end as rank_in_category,
        case
            when not composites.insufficient_data then
                count(*) over (
                    partition by
                        composites.role_category, composites.period_type, composites.period_start,
                        composites.insufficient_data
                )
        end as n_in_category,
        case
            when not composites.insufficient_data then
                percent_rank() over (
                    partition by
                        composites.role_category, composites.period_type, composites.period_start,
                        composites.insufficient_data
                    order by round(composites.composite_score, 9)
                )
        end as category_percentile,
        case
            when not composites.insufficient_data then
                rank() over (
                    partition by
                        composites.department, composites.role_category, composites.period_type,
                        composites.period_start, composites.insufficient_data
                    order by round(composites.composite_score, 9) desc
                )
        end as rank_in_office,
        case
            when not composites.insufficient_data then
                count(*) over (
                    partition by
                        composites.department, composites.role_category, composites.period_type,
                        composites.period_start, composites.insufficient_data
                )
        end as n_in_office
    from composites
    inner join staff_periods
        on
            composites.staff_id = staff_periods.staff_id
            and composites.period_type = staff_periods.period_type
            and composites.period_start = staff_periods.period_start
),

-- the ranks a movement can be measured against: this build's, and those of the periods it
-- keeps from the last build
earlier_ranks as (
    select
        staff_id,
        period_type,
        period_start,
        role_category,
        rank_in_category
    from ranked
    {%- if is_incremental() %}
        union all
        select
            staff_id,
            period_type,
            period_start,
            role_category,
            rank_in_category
        from {{ this }}
    {%- endif %}
),

-- movement against the period just before, in the same category: a rank in another category
-- (after a move) or before a gap is not comparable, so it gives no movement
with_previous as (
    select
        ranked.*,
        previous.rank_in_category as previous_rank
    from ranked
    left join earlier_ranks as previous
        on
            ranked.staff_id = previous.staff_id
            and ranked.period_type = previous.period_type
            and ranked.role_category = previous.role_category
            and previous.period_start = (
                ranked.period_start - case ranked.period_type
                    when 'month' then interval 1 month
                    when 'quarter' then interval 3 month
                    else interval 1 year
                end
            )::date
),

-- a quarterly grade listed in the eligibility seed rules a person out of 优秀 for that year
ineligible as (
    select distinct
        decisions.staff_id,
        date_trunc('year', decisions.period_start)::date as period_start
    from decisions
    inner join eligibility
        on
            decisions.final_grade = eligibility.quarterly_grade
            and eligibility.excludes_annual_grade = '优秀'
    where decisions.period_type = 'quarter'
),

annual_candidates as (
    select
        with_previous.staff_id,
        with_previous.period_start,
        with_previous.unit,
        with_previous.composite_score,
        count(*) over (partition by with_previous.unit, with_previous.period_start) as assessed,
        row_number() over (
            partition by
                with_previous.unit, with_previous.period_start,
                with_previous.insufficient_data, ineligible.staff_id is null
            order by with_previous.composite_score desc, with_previous.staff_id asc
        ) as unit_position,
        not with_previous.insufficient_data and ineligible.staff_id is null as is_eligible
    from with_previous
    left join ineligible
        on
            with_previous.staff_id = ineligible.staff_id
            and with_previous.period_start = ineligible.period_start
    where
        with_previous.period_type = 'year'
        and with_previous.is_complete_period
        and with_previous.staff_type in ('公务员', '参公')
),

final as (
    select
        -- keys
        with_previous.staff_id,
        with_previous.period_type,
        with_previous.period_start,
        -- context
        with_previous.role_category,
        with_previous.department,
        with_previous.unit,
        with_previous.staff_type,
        with_previous.is_complete_period,
        -- scores
        with_previous.composite_score,
        with_previous.quantitative_score,
        with_previous.qualitative_score,
        with_previous.quantitative_coverage,
        with_previous.indicators_scored::integer as indicators_scored,
        with_previous.indicators_missing::integer as indicators_missing,
        with_previous.has_missing_indicators,
        with_previous.insufficient_data,
        -- ranking
        with_previous.rank_in_category,
        with_previous.n_in_category,
        with_previous.category_percentile,
        with_previous.rank_in_office,
        with_previous.n_in_office,
        with_previous.previous_rank,
        with_previous.previous_rank - with_previous.rank_in_category as rank_change,
        -- grade recommendation (annual, civil servants only; the committee decides)
        annual_candidates.is_eligible as is_eligible_for_excellent,
        case
            when annual_candidates.staff_id is null or with_previous.insufficient_data then null
            when
                annual_candidates.is_eligible
                and annual_candidates.unit_position
                <= floor(settings.excellent_quota * annual_candidates.assessed)
                then '优秀'
            when with_previous.category_percentile < settings.low_score_share then '复核'
            else '称职'
        end as grade_recommendation,
        coalesce(with_previous.category_percentile < settings.low_score_share, false)
            as review_flag
    from with_previous
    cross join settings
    left join annual_candidates
        on
            with_previous.staff_id = annual_candidates.staff_id
            and with_previous.period_start = annual_candidates.period_start
            and with_previous.period_type = 'year'
)

-- Stored by person: the dashboard reads one person's rows at a time, and DuckDB then skips
-- every row group that holds none of theirs.
select * from final
order by staff_id, period_type, period_start
