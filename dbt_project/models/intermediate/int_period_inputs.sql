-- One row per assessment period: a fingerprint of everything the scoring models read for it
-- (its coverage, the roster's days in it, the monthly counts, the ratings, the grade
-- decisions of its year), and whether this build recomputes it: its fingerprint differs from
-- the one the last build kept, or an earlier period of its type does (a rank's movement reads
-- the period before). See macros/incremental_periods.sql. Build bookkeeping: kept in
-- build_state, beside the key tests' watermarks, not among the data.
{{ config(schema='build_state') }}

{#- a full refresh rebuilds every period: what the last build kept does not count -#}
{%- set kept = none -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- set kept = load_relation(this) -%}
{%- endif %}

with

periods as (
    select * from {{ ref('int_periods') }}
),

staff_periods as (
    select * from {{ ref('int_staff_periods') }}
),

monthly as (
    select * from {{ ref('int_indicator_counts_monthly') }}
),

ratings as (
    select * from {{ ref('int_ratings_by_period') }}
),

decisions as (
    select * from {{ ref('stg_actions__decisions') }}
),

-- sums of doubles may differ in the last bits from run to run: round before hashing, so that
-- only a real change marks a period
monthly_hashed as (
    select
        month_start,
        hash(
            staff_id, indicator_code, round(numerator, 9), round(denominator, 9), n
        ) as row_hash
    from monthly
),

inputs as (
    select
        period_type,
        period_start,
        hash(periods) as row_hash
    from periods
    union all
    select
        period_type,
        period_start,
        hash(staff_periods) as row_hash
    from staff_periods
    union all
    select
        'month' as period_type,
        month_start as period_start,
        row_hash
    from monthly_hashed
    union all
    select
        'quarter' as period_type,
        date_trunc('quarter', month_start)::date as period_start,
        row_hash
    from monthly_hashed
    union all
    select
        'year' as period_type,
        date_trunc('year', month_start)::date as period_start,
        row_hash
    from monthly_hashed
    union all
    select
        period_type,
        period_start,
        hash(staff_id, indicator_code, round(score, 9), n) as row_hash
    from ratings
    union all
    select
        'year' as period_type,
        date_trunc('year', period_start)::date as period_start,
        hash(staff_id, period_type, period_start, final_grade) as row_hash
    from decisions
),

fingerprints as (
    select
        inputs.period_type,
        inputs.period_start,
        sum(inputs.row_hash::hugeint) as fingerprint
    from inputs
    semi join periods
        on
            inputs.period_type = periods.period_type
            and inputs.period_start = periods.period_start
    group by inputs.period_type, inputs.period_start
),

kept as (
    {%- if kept is not none %}
        select
            period_type,
            period_start,
            fingerprint
        from {{ this }}
    {%- else %}
        select
            null::varchar as period_type,
            null::date as period_start,
            null::hugeint as fingerprint
        where false
    {%- endif %}
),

-- a period that is gone counts as changed too: the next one's movement read it
changed as (
    select
        coalesce(fingerprints.period_type, kept.period_type) as period_type,
        coalesce(fingerprints.period_start, kept.period_start) as period_start
    from fingerprints
    full join kept
        on
            fingerprints.period_type = kept.period_type
            and fingerprints.period_start = kept.period_start
    where fingerprints.fingerprint is distinct from kept.fingerprint
),

first_changed as (
    select
        period_type,
        min(period_start) as period_start
    from changed
    group by period_type
),

final as (
    select
        fingerprints.period_type,
        fingerprints.period_start,
        fingerprints.fingerprint,
        coalesce(fingerprints.period_start >= first_changed.period_start, false)
            as needs_rebuild
    from fingerprints
    left join first_changed on fingerprints.period_type = first_changed.period_type
)

select * from final
