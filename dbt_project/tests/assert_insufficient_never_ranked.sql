-- A person with insufficient data is shown as such and never ranked.
select *
from {{ ref('fct_person_scores') }}
where insufficient_data and rank_in_category is not null
