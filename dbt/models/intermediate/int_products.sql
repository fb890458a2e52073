-- One row per product seen in the click stream, with its name and price on its latest click: the
-- lake has no product table, clicks carry the product's name and price at the time of the click.
-- (Two aggregations instead of ranking every click: the same answer for a fraction of the work.)
with clicks as (
    select product_id, product_name, price, click_time
    from {{ ref('int_clicks_deduplicated') }}
),

latest_click_times as (
    select product_id, max(click_time) as latest_click_time
    from clicks
    group by product_id
)

select
    clicks.product_id,
    -- Clicks at the same latest millisecond could disagree: take a deterministic one.
    max(clicks.product_name) as product_name,
    max(clicks.price) as latest_price
from clicks
inner join latest_click_times
    on latest_click_times.product_id = clicks.product_id
    and latest_click_times.latest_click_time = clicks.click_time
group by clicks.product_id
