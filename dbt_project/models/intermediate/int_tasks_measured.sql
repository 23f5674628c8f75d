-- One row per key task that has fallen due by the data's "as of" date; a task counts for the
-- month it falls due, done or not.
with

tasks as (
    select * from {{ ref('stg_tasks__tasks') }}
),

data_window as (
    select * from {{ ref('int_data_window') }}
),

final as (
    select
        tasks.task_id,
        tasks.staff_id,
        date_trunc('month', tasks.due_on)::date as month_start,
        tasks.weight,
        coalesce(tasks.done_on <= tasks.due_on, false) as is_on_time,
        tasks.load_seq,
        tasks.source_file,
        tasks.source_row
    from tasks
    cross join data_window
    where tasks.due_on <= data_window.data_through
)

select * from final
