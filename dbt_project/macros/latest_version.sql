{#-
  A record seen again in a later export is a newer version of it: keep the row of the latest
  load (and, within one file, the last row) per key.
-#}
{% macro latest_version(relation, key) -%}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key }} order by _load_seq desc, _row desc
    ) = 1
{%- endmacro %}
