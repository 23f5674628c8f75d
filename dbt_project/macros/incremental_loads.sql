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


{#-
  Key tests of the largest incremental models check the rows of the new loads only
  (`where: new_loads` on the test). Rows of earlier loads passed the same test in the build
  that added them, and a new batch can only repeat an old key if `delete+insert` failed to
  delete it; so a daily build does not re-read millions of unchanged keys. The model's
  pre-hook `remember_tested_loads` keeps the newest load it held before this build (-1 on a
  full refresh, when every row is new and tested).
-#}
{% macro remember_tested_loads() -%}
create or replace table {{ tested_loads_relation(this) }} as
select {% if is_incremental() %}{{ load_watermark() }}{% else %}-1{% endif %} as tested_through
{%- endmacro %}


{#- Outside the data schemas (created by on-run-start): bookkeeping of tests, not data. -#}
{% macro tested_loads_relation(relation) -%}
{{ relation.database }}.build_state."{{ relation.schema }}__{{ relation.identifier }}"
{%- endmacro %}


{#- dbt's own get_where_subquery, plus the `new_loads` filter above. -#}
{% macro get_where_subquery(relation) -%}
{%- set where = config.get('where', '') -%}
{%- if where == 'new_loads' -%}
{%- set where -%}
load_seq > (select tested_through from {{ tested_loads_relation(relation) }})
{%- endset -%}
{%- endif -%}
{%- if where -%}
{%- set filtered -%}
(select * from {{ relation }} where {{ where }}) dbt_subquery
{%- endset -%}
{%- do return(filtered) -%}
{%- else -%}
{%- do return(relation) -%}
{%- endif -%}
{%- endmacro %}
