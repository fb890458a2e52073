-- Distribution of the time from the attributed click to the checkout, per checkout date, in the
-- buckets of the seed time_to_purchase_buckets (lower bound inclusive, upper bound exclusive,
-- the last bucket ends at the window's end, inclusive).
with attributed as (
    select checkout_date, time_to_purchase_ms
    from {{ ref('fct_checkout_attribution') }}
    where is_attributed
),

buckets as (
    select * from {{ ref('time_to_purchase_buckets') }}
),

bucketed as (
    select
        attributed.checkout_date,
        buckets.bucket_order,
        buckets.bucket_label,
        buckets.lower_ms,
        buckets.upper_ms,
        count(*) as checkouts
    from attributed
    inner join buckets
        on attributed.time_to_purchase_ms >= buckets.lower_ms
        and (attributed.time_to_purchase_ms < buckets.upper_ms
            or (buckets.is_last and attributed.time_to_purchase_ms <= buckets.upper_ms))
    group by
        attributed.checkout_date,
        buckets.bucket_order,
        buckets.bucket_label,
        buckets.lower_ms,
        buckets.upper_ms
)

select
    *,
    round(1.0 * checkouts / sum(checkouts) over (partition by checkout_date), 4) as share_of_day
from bucketed
