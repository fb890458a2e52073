{#
  Settings of the attribution models (fct_attribution_credits; dbt/README.md, "Attribution
  models"), as dbt variables:

  Each falls back to an environment variable of the same name in capitals with DBT_ in front
  (DBT_ATTRIBUTION_LOOKBACK_HOURS=168 npm run models), then to its default.

  attribution_lookback_hours     the window: a click is a candidate of a checkout of the same user
                                 and product when checkout_time - lookback <= click_time <=
                                 checkout_time. Whole hours; default 1 (the rule's hour, which
                                 fct_checkout_attribution uses); 24 and 168 (7 days) are the usual
                                 others. Only with 1 must first click equal fct_checkout_attribution.
  attribution_half_life_seconds  time decay's half-life; default half the lookback (a click at the
                                 window's start weighs a quarter of a click at checkout time).
#}

{% macro attribution_lookback_hours() -%}
    {%- set configured = var('attribution_lookback_hours', env_var('DBT_ATTRIBUTION_LOOKBACK_HOURS', '1')) -%}
    {%- set hours = configured | int -%}
    {%- if hours < 1 or (configured | string | trim) != (hours | string) -%}
        {{ exceptions.raise_compiler_error('attribution_lookback_hours must be a whole number of hours >= 1, got ' ~ configured) }}
    {%- endif -%}
    {{ return(hours) }}
{%- endmacro %}

{% macro attribution_half_life_seconds() -%}
    {%- set configured = var('attribution_half_life_seconds', env_var('DBT_ATTRIBUTION_HALF_LIFE_SECONDS', '')) -%}
    {%- set configured = none if (configured | string | trim) == '' else configured -%}
    {%- set seconds = (attribution_lookback_hours() * 1800) if configured is none else (configured | float) -%}
    {%- if seconds <= 0 -%}
        {{ exceptions.raise_compiler_error('attribution_half_life_seconds must be > 0, got ' ~ configured) }}
    {%- endif -%}
    {{ return(seconds) }}
{%- endmacro %}

{% macro is_in_lookback_window(click_time, checkout_time) -%}
    ({{ click_time }} >= {{ dbt.dateadd('hour', -attribution_lookback_hours(), checkout_time) }} and {{ click_time }} <= {{ checkout_time }})
{%- endmacro %}

{#-
  A bucket of `lookback` hours: a window [t - lookback, t] lies in buckets lookback_bucket(t) - 1
  and lookback_bucket(t), so the candidates join on (user, product, bucket), an equality a
  database hashes, then filter on the exact window (as fct_checkout_attribution does with hours).
-#}
{% macro lookback_bucket(timestamp) -%}
    {%- set hours = attribution_lookback_hours() -%}
    {%- if hours == 1 -%}
        {{ hour_of(timestamp) }}
    {%- else -%}
        cast(floor(cast({{ hour_of(timestamp) }} as double precision) / {{ hours }}) as bigint)
    {%- endif -%}
{%- endmacro %}

{#- The last checkout date a click can be a candidate of: the date of click_time + lookback. -#}
{% macro last_reachable_date_in_lookback(click_time) -%}
    cast({{ dbt.dateadd('hour', attribution_lookback_hours(), click_time) }} as date)
{%- endmacro %}
