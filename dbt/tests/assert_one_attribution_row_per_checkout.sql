-- Every distinct checkout_id of the lake has exactly one row in fct_checkout_attribution, and no
-- row exists for a checkout the lake does not hold. Returns the ids that break this.
with lake_checkouts as (
    select distinct checkout_id from {{ ref('stg_checkouts') }}
),

attribution_rows as (
    select checkout_id, count(*) as row_count
    from {{ ref('fct_checkout_attribution') }}
    group by checkout_id
)

select
    coalesce(lake_checkouts.checkout_id, attribution_rows.checkout_id) as checkout_id,
    coalesce(attribution_rows.row_count, 0) as row_count
from lake_checkouts
full outer join attribution_rows
    on attribution_rows.checkout_id = lake_checkouts.checkout_id
where lake_checkouts.checkout_id is null
    or attribution_rows.checkout_id is null
    or attribution_rows.row_count <> 1
