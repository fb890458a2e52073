-- Revenue per checkout date and product, and the part of it attributed to a click: sum over
-- products for the daily figure, over dates for the product's.
--
-- Amounts are exact DECIMAL(38,2), and so are the sums, to the cent, as long as they fit the type.
-- The parser accepts any amount up to 36 integer digits (docs/attribution.md), so two
-- hostile checkouts alone can overflow a plain sum: an error on DuckDB ("Overflow in HUGEINT
-- addition", or a silently wrong value) and on Redshift, and the build fails. So each day and
-- product is first summed in double precision, which cannot overflow; where that sum reaches the
-- bound below (DECIMAL(38,2) holds less than 10^36), the exact figures are null and
-- is_revenue_overflow is set. The double figures are always there (about 15 significant digits).
{%- set exact_revenue_bound = '9e35' %}
{#-
  Why the bound is safe: with non-negative amounts the double sum of n rows is within a relative
  n * 2^-53 of the exact one, so a double sum under 9e35 means an exact sum under 10^36 for any
  group of fewer than 10^14 rows; every partial sum is smaller still (no amount is negative).
#}

with checkouts as (
    select
        checkout_date,
        product_id,
        product_name,
        is_attributed,
        total_amount,
        cast(total_amount as double precision) as total_amount_approx,
        sum(cast(total_amount as double precision)) over (partition by checkout_date, product_id) as revenue_approx
    from {{ ref('obt_checkouts') }}
),

guarded as (
    select
        *,
        revenue_approx < cast({{ exact_revenue_bound }} as double precision) as is_exact_sum_safe
    from checkouts
)

select
    checkout_date,
    product_id,
    max(product_name) as product_name,
    count(*) as checkouts,
    sum(case when is_attributed then 1 else 0 end) as attributed_checkouts,
    -- Exact, or null when the group's sum would not fit DECIMAL(38,2): the amounts of such a group
    -- are never added up as decimals (the guard is inside the sum, so no partial sum overflows).
    sum(case when is_exact_sum_safe then total_amount end) as revenue,
    sum(
        case
            when is_exact_sum_safe and is_attributed then total_amount
            when is_exact_sum_safe then cast(0 as decimal(38, 2))
        end
    ) as attributed_revenue,
    max(case when is_exact_sum_safe then 0 else 1 end) = 1 as is_revenue_overflow,
    sum(total_amount_approx) as revenue_approx,
    sum(case when is_attributed then total_amount_approx else 0 end) as attributed_revenue_approx
from guarded
group by checkout_date, product_id
