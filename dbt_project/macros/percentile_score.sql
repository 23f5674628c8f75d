{#-
  Score 0-100 by mid-rank percentile within a partition, respecting direction: the best value
  scores 100, the worst 0, ties share the average of their ranks, a lone value scores 50.
  Only sufficient rows are scored (they are their own partition); others get null.
  Values are compared at 9 decimals: a sum taken in another order (an incremental build adds
  rows in load order) must not turn a tie into a rank.
-#}
{% macro percentile_score(raw_value, direction, partition_by, sufficient) -%}
    {%- set value = 'round(' ~ raw_value ~ ', 9)' -%}
    case
        when {{ sufficient }} and {{ value }} is not null then
            coalesce(
                100.0 * (
                    rank() over (
                        partition by {{ partition_by }}, {{ sufficient }}, {{ value }} is null
                        order by {{ value }} * case when {{ direction }} = 'lower' then -1 else 1 end
                    ) - 1
                    + (count(*) over (
                        partition by {{ partition_by }}, {{ sufficient }}, {{ value }}
                    ) - 1) / 2.0
                ) / nullif(count(*) over (
                    partition by {{ partition_by }}, {{ sufficient }}, {{ value }} is null
                ) - 1, 0),
                50.0
            )
    end
{%- endmacro %}
