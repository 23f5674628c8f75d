{#- Assessment periods arrive as text: 2025 (year), 2025Q1 (quarter) or 2025-03 (month). -#}
{% macro period_type(col) -%}
    case
        when {{ col }} like '%Q%' then 'quarter'
        when {{ col }} like '%-%' then 'month'
        else 'year'
    end
{%- endmacro %}

{% macro period_start(col) -%}
    case
        when {{ col }} like '%Q%'
            then make_date(
                cast(left({{ col }}, 4) as integer),
                (cast(right({{ col }}, 1) as integer) - 1) * 3 + 1,
                1
            )
        when {{ col }} like '%-%'
            then make_date(
                cast(left({{ col }}, 4) as integer), cast(right({{ col }}, 2) as integer), 1
            )
        else make_date(cast({{ col }} as integer), 1, 1)
    end
{%- endmacro %}

{% macro period_end(type_col, start_col) -%}
    (
        {{ start_col }}
        + case {{ type_col }}
            when 'month' then interval 1 month
            when 'quarter' then interval 3 month
            else interval 1 year
        end
        - interval 1 day
    )::date
{%- endmacro %}
