-- Click-to-checkout conversion per click date and product: the share of clicks that are the
-- attributed (first) click of at least one checkout.
with clicks as (
    select click_id, click_date, product_id
    from {{ ref('int_clicks_deduplicated') }}
),

converted_clicks as (
    select distinct click_id
    from {{ ref('fct_checkout_attribution') }}
    where click_id is not null
),

per_day as (
    select
        clicks.click_date,
        clicks.product_id,
        count(*) as clicks,
        sum(case when converted_clicks.click_id is not null then 1 else 0 end) as converted_clicks
    from clicks
    left join converted_clicks
        on converted_clicks.click_id = clicks.click_id
    group by clicks.click_date, clicks.product_id
)

select
    *,
    round(1.0 * converted_clicks / clicks, 4) as conversion_rate
from per_day
