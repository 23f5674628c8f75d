-- No published figure rests on fewer than k people.
with

summary as (
    select * from {{ ref('public_service_summary') }}
),

settings as (
    select * from {{ ref('int_settings') }}
)

select summary.*
from summary
cross join settings
where summary.contributors < settings.k_anonymity
