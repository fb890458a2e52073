{#
  The measures of the attribution marts over fct_attribution_credits rows grouped by
  `group_by`, with rpt_attributed_revenue's guard against DECIMAL(38,2) overflow: each group is
  first summed in double precision; where that reaches 9e35 the exact credited_amount is null and
  is_amount_overflow is set (credited_amount_approx always holds the figure).
#}
{% macro attributed_revenue_sums(group_by) -%}
with credits as (
    select
        {{ group_by | join(', ') }},
        checkout_id,
        click_id,
        weight,
        credited_amount,
        cast(credited_amount as double precision) as credited_amount_approx,
        sum(cast(credited_amount as double precision)) over (partition by {{ group_by | join(', ') }}) as group_amount_approx
    from {{ ref('fct_attribution_credits') }}
),

guarded as (
    select *, group_amount_approx < cast(9e35 as double precision) as is_exact_sum_safe
    from credits
)

select
    {{ group_by | join(', ') }},
    sum(case when is_exact_sum_safe then credited_amount end) as credited_amount,
    sum(credited_amount_approx) as credited_amount_approx,
    max(case when is_exact_sum_safe then 0 else 1 end) = 1 as is_amount_overflow,
    -- Fractional checkouts: the sum of the credited clicks' weights.
    sum(weight) as conversions,
    count(distinct checkout_id) as checkouts,
    count(click_id) as clicks
from guarded
group by {{ group_by | join(', ') }}
{%- endmacro %}
