-- Revenue per checkout date and product, and the part of it attributed to a click: sum over
-- products for the daily figure, over dates for the product's.
select
    checkout_date,
    product_id,
    max(product_name) as product_name,
    count(*) as checkouts,
    sum(case when is_attributed then 1 else 0 end) as attributed_checkouts,
    sum(total_amount) as revenue,
    sum(case when is_attributed then total_amount else 0 end) as attributed_revenue
from {{ ref('obt_checkouts') }}
group by checkout_date, product_id
