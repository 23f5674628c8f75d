-- One row per key task: the latest exported version of each task id.
with

source as (
    select * from {{ source('raw', 'tasks') }}
),

latest as (
    {{ latest_version('source', "task_id") }}
),

renamed as (
    select
        -- ids
        task_id,
        staff_id,
        -- attributes
        title,
        weight,
        -- dates
        assigned_on,
        due_on,
        done_on,
        -- lineage
        _load_seq as load_seq,
        _file as source_file,
        _row as source_row
    from latest
)

select * from renamed
