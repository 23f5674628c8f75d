-- One row per approval case: the latest exported version of each case number.
{{ config(
    materialized='incremental',
    unique_key='case_no',
    incremental_strategy='delete+insert',
    pre_hook="{{ remember_tested_loads() }}",
) }}

with

source as (
    select * from {{ source('raw', 'approvals') }}
    {{ new_loads_only('_load_seq') }}
),

latest as (
    {{ latest_version('source', "case_no") }}
),

renamed as (
    select
        -- ids
        case_no,
        matter_code,
        handler_id,
        -- attributes
        matter_name,
        status,
        channel,
        rating,
        promised_days,
        -- timestamps
        received_at,
        completed_at,
        -- lineage
        _load_seq as load_seq,
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
