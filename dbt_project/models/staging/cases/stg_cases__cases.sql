-- One row per enforcement case: the latest exported version of each case number.
{{ config(
    materialized='incremental',
    unique_key='case_no',
    incremental_strategy='delete+insert',
) }}

with

source as (
    select * from {{ source('raw', 'cases') }}
    {{ new_loads_only('_load_seq') }}
),

latest as (
    {{ latest_version('source', "case_no") }}
),

renamed as (
    select
        -- ids
        case_no,
        lead_officer_id,
        co_officer_id,
        -- attributes
        procedure,
        domain,
        penalty_amount,
        review_outcome,
        status,
        -- dates
        filed_at as filed_on,
        decided_at as decided_on,
        closed_at as closed_on,
        -- lineage
        _load_seq as load_seq,
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
