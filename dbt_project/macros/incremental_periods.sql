{#-
  The scoring models (counts per period → values → scores → composites → ranks) are
  incremental by assessment period. Everything they compute is partitioned by period, except a
  rank's movement, which reads the period before. `int_period_inputs` fingerprints what they
  read for each period and marks the periods a build must recompute: those whose inputs
  changed since the last build (a new day touches the current month, quarter and year) and
  every later period of the same type. Each model deletes every period that is not unchanged
  (`delete_rebuilt_periods`, a pre-hook) and appends the rows of the marked ones, computed from
  its inputs limited to them (`rebuilt_periods_only`).

  Like the load watermark, this is safe because every build runs the whole project and a
  failed build is thrown away whole; rules that change (seeds, SQL) make a full refresh.
-#}

{% macro rebuilt_periods() -%}
    (select period_type, period_start from {{ ref('int_period_inputs') }} where needs_rebuild)
{%- endmacro %}


{% macro rebuilt_periods_only() -%}
    {%- if is_incremental() %}
        where (period_type, period_start) in {{ rebuilt_periods() }}
    {%- endif %}
{%- endmacro %}


{% macro delete_rebuilt_periods() -%}
    {%- if is_incremental() -%}
delete from {{ this }}
where
    (period_type, period_start) not in (
        select period_type, period_start from {{ ref('int_period_inputs') }}
        where not needs_rebuild
    )
{%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
