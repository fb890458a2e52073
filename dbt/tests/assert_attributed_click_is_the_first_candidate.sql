-- The rule checked a second way, independently of the model's ranking: for every checkout,
-- (a) an attributed click is a candidate (same user and product, inside the inclusive hour), and
-- (b) no candidate click comes before the attributed one by (click_time, click_id in byte order),
--     and an unattributed checkout has no candidate at all.
-- Returns the violating checkouts.
with attribution as (
    select * from {{ ref('fct_checkout_attribution') }}
),

clicks as (
    select click_id, user_id, product_id, click_time, {{ hour_of('click_time') }} as click_hour
    from {{ ref('int_clicks_deduplicated') }}
),

-- The two clock hours each checkout's window touches (see fct_checkout_attribution).
attribution_hours as (
    select *, {{ hour_of('checkout_time') }} as window_hour from attribution
    union all
    select *, {{ hour_of('checkout_time') }} - 1 as window_hour from attribution
),

not_a_candidate as (
    select attribution.checkout_id, 'attributed click is not a candidate' as violation
    from attribution
    inner join clicks on clicks.click_id = attribution.click_id
    where clicks.user_id <> attribution.user_id
        or clicks.product_id <> attribution.product_id
        or not {{ is_in_attribution_window('clicks.click_time', 'attribution.checkout_time') }}
),

earlier_candidate as (
    select distinct attribution_hours.checkout_id, 'an earlier candidate exists' as violation
    from attribution_hours
    inner join clicks
        on clicks.user_id = attribution_hours.user_id
        and clicks.product_id = attribution_hours.product_id
        and clicks.click_hour = attribution_hours.window_hour
        and {{ is_in_attribution_window('clicks.click_time', 'attribution_hours.checkout_time') }}
    where attribution_hours.click_id is null
        or clicks.click_time < attribution_hours.click_time
        or (clicks.click_time = attribution_hours.click_time
            and {{ byte_ordered('clicks.click_id') }} < {{ byte_ordered('attribution_hours.click_id') }})
)

select * from not_a_candidate
union all
select * from earlier_candidate
