-- Per checkout date: how many checkouts each layer holds, how many rows agree, how many differ
-- and why, and the agreement as a percentage of the checkouts known to either layer.
with comparison as (
    select * from {{ ref('int_layer_comparison') }}
),

per_day as (
    select
        checkout_date,
        sum(case when is_in_batch then 1 else 0 end) as batch_checkouts,
        sum(case when is_in_speed then 1 else 0 end) as speed_checkouts,
        count(*) as all_checkouts,
        sum(case when outcome = 'agree' then 1 else 0 end) as agreeing_checkouts,
        sum(case when outcome <> 'agree' then 1 else 0 end) as differing_checkouts,
        sum(case when outcome = 'missing_in_speed' then 1 else 0 end) as missing_in_speed,
        sum(case when outcome = 'missing_in_batch' then 1 else 0 end) as missing_in_batch,
        sum(case when outcome = 'other_click' then 1 else 0 end) as other_click,
        sum(case when outcome = 'late_data' then 1 else 0 end) as late_data
    from comparison
    group by checkout_date
)

select
    *,
    round(100.0 * agreeing_checkouts / all_checkouts, 2) as agreement_pct
from per_day
