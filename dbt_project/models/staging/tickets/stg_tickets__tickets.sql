-- One row per service ticket: the latest exported version of each ticket number.
{{ config(
    materialized='incremental',
    unique_key='ticket_no',
    incremental_strategy='delete+insert',
    pre_hook="{{ remember_tested_loads() }}",
) }}

with

source as (
    select * from {{ source('raw', 'tickets') }}
    {{ new_loads_only('_load_seq') }}
),

latest as (
    {{ latest_version('source', "ticket_no") }}
),

renamed as (
    select
        -- ids
        ticket_no,
        handler_id,
        -- attributes
        source as ticket_source,
        category,
        status,
        satisfaction,
        reopened = '是' as is_reopened,
        -- timestamps
        created_at,
        responded_at,
        closed_at,
        due_at,
        -- lineage
        _load_seq as load_seq,
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
