-- The one big table for analysts: each checkout with its details, its user (the name as of the
-- checkout time), its attributed click, its product and its time to purchase. Checkouts of users
-- the lake does not know are kept, with an empty name and is_unknown_user set.
with attribution as (
    select * from {{ ref('fct_checkout_attribution') }}
),

checkouts as (
    select
        checkout_id,
        payment_method,
        shipping_address,
        billing_address,
        user_agent,
        ip_address
    from {{ ref('int_checkouts_deduplicated') }}
),

users as (
    select * from {{ ref('stg_users') }}
),

-- A user first exported after the checkout has no version covering it: use the first version.
first_user_versions as (
    select user_id, user_name
    from (
        select
            user_id,
            user_name,
            row_number() over (partition by user_id order by valid_from) as version_rank
        from users
    ) as ranked
    where version_rank = 1
),

products as (
    select * from {{ ref('int_products') }}
),

final as (
    select
        attribution.checkout_id,
        attribution.checkout_time,
        attribution.checkout_date,
        attribution.user_id,
        coalesce(user_as_of_checkout.user_name, first_user_versions.user_name, '') as user_name,
        first_user_versions.user_id is null as is_unknown_user,
        attribution.product_id,
        products.product_name,
        checkouts.payment_method,
        attribution.total_amount,
        checkouts.shipping_address,
        checkouts.billing_address,
        checkouts.user_agent,
        checkouts.ip_address,
        attribution.is_attributed,
        attribution.click_id,
        attribution.click_time,
        attribution.time_to_purchase_ms,
        attribution.time_to_purchase_ms / 1000.0 as time_to_purchase_seconds
    from attribution
    inner join checkouts
        on checkouts.checkout_id = attribution.checkout_id
    left join users as user_as_of_checkout
        on user_as_of_checkout.user_id = attribution.user_id
        and user_as_of_checkout.valid_from <= attribution.checkout_time
        and (user_as_of_checkout.valid_to is null or attribution.checkout_time < user_as_of_checkout.valid_to)
    left join first_user_versions
        on first_user_versions.user_id = attribution.user_id
    left join products
        on products.product_id = attribution.product_id
)

select * from final
