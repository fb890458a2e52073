-- With the rule's lookback (1 hour, the default), the first-click model credits exactly the click
-- fct_checkout_attribution attributes, checkout by checkout (unattributed on both sides alike).
-- Fails with the checkouts that differ. (Other lookbacks answer a different question: no check.)
{% if attribution_lookback_hours() == 1 %}
with first_click as (
    select checkout_id, click_id
    from {{ ref('fct_attribution_credits') }}
    where model = 'first_click'
)

select
    coalesce(fct.checkout_id, first_click.checkout_id) as checkout_id,
    fct.click_id as fct_click_id,
    first_click.click_id as first_click_click_id
from {{ ref('fct_checkout_attribution') }} as fct
full outer join first_click
    on first_click.checkout_id = fct.checkout_id
where fct.checkout_id is null
    or first_click.checkout_id is null
    or coalesce(fct.click_id, '') <> coalesce(first_click.click_id, '')
    or (fct.click_id is null) <> (first_click.click_id is null)
{% else %}
select 1 as checkout_id where 1 = 0
{% endif %}
