-- Every checkout has its credits under each of the five models, and per checkout and model they
-- sum to its amount exactly, none negative, the weights to 1 (up to their 10-decimal rounding).
-- Fails with the (checkout, model) pairs that do not.
with per_model as (
    select
        checkout_id,
        model,
        max(total_amount) as total_amount,
        sum(credited_amount) as credited_amount,
        min(credited_amount) as smallest_credit,
        sum(weight) as weight,
        count(*) as credits
    from {{ ref('fct_attribution_credits') }}
    group by checkout_id, model
),

models_per_checkout as (
    select checkout_id, count(*) as models
    from per_model
    group by checkout_id
)

select checkout_id, model, 'amount' as problem
from per_model
where credited_amount <> total_amount
    or smallest_credit < 0
    or abs(weight - 1) > credits * 0.0000000001

union all

select checkouts.checkout_id, null as model, 'models' as problem
from {{ ref('int_checkouts_deduplicated') }} as checkouts
left join models_per_checkout
    on models_per_checkout.checkout_id = checkouts.checkout_id
where coalesce(models_per_checkout.models, 0) <> 5
