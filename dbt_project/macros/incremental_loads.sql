{#-
  Incremental models follow the loads: every raw row carries the sequence number of the load
  that brought it (`_load_seq`, `load_seq` downstream), and a build processes every load after
  the newest one a model already holds. All loads present when a build starts are processed by
  it, and a failed build is thrown away whole (townperf builds on a copy), so "newest load held"
  is a safe watermark.

  A record exported again is a newer version of itself. Its key is deleted before the new
  batch goes in (`delete_superseded`, a pre-hook), so a version that no longer qualifies (a case
  reopened, a ticket sent back) leaves nothing behind; `delete+insert` on the same key then adds
  the versions that do.

  Anything that is not a function of the loads alone (seeds, settings, the model's own SQL)
  makes townperf run the build with --full-refresh: see `townperf.dbt.build_fingerprint`.
-#}

{% macro load_watermark() -%}
(select coalesce(max(load_seq), 0) from {{ this }})
{%- endmacro %}


{% macro new_loads_only(column='load_seq') -%}
{%- if is_incremental() %}
    where {{ column }} > {{ load_watermark() }}
{%- endif %}
{%- endmacro %}


{% macro delete_superseded(key, upstream, upstream_key=none, where=none) -%}
{%- if is_incremental() -%}
delete from {{ this }}
where
    {{ key }} in (
        select {{ upstream_key or key }} from {{ upstream }}
        where load_seq > {{ load_watermark() }}
    )
{%- if where %} and {{ where }}{% endif %}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
