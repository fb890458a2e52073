{#
  The attribution window of the spec (docs/attribution.md): a click at `click_time` is a
  candidate of a checkout at `checkout_time` when checkout_time - 1 hour <= click_time <=
  checkout_time, both ends inclusive. The hour is fixed by the spec; hour_of's two-hour join
  below relies on it.
#}
{% macro window_start(checkout_time) -%}
    {{ dbt.dateadd('hour', -1, checkout_time) }}
{%- endmacro %}

{% macro is_in_attribution_window(click_time, checkout_time) -%}
    ({{ click_time }} >= {{ window_start(checkout_time) }} and {{ click_time }} <= {{ checkout_time }})
{%- endmacro %}

{#
  The last date whose checkouts a click can be a candidate of: the date of click_time + 1 hour
  (a click at 23:30 still counts for checkouts until 00:30 the next day).
#}
{% macro last_reachable_date(click_time) -%}
    cast({{ dbt.dateadd('hour', 1, click_time) }} as date)
{%- endmacro %}

{#
  The hour a timestamp falls in, as hours since the epoch. A checkout's window [t - 1 h, t] lies in
  hours hour_of(t) - 1 and hour_of(t), so joining on these two hours (an equality, which databases
  hash) instead of on the time range alone keeps the join to the clicks of about two hours.
#}
{% macro hour_of(timestamp) -%}
    {{ dbt.datediff("cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")", timestamp, 'hour') }}
{%- endmacro %}
