{#
  The channel and campaign of a click from its URL: the rules of docs/channels.md, the same as
  lib/domain/channel.ts (channelOf, campaignOf). Both are checked against one case table,
  seeds/channel_cases.csv (tests/assert_channel_macro_matches_cases.sql and the vitest test), so
  a change here goes with a change there.

  The URL is read with plain string steps: cut at the first '#', the query is the text after the
  first '?', a parameter is the FIRST `&name=value` (name ASCII case-insensitive), an empty value
  is absent, nothing is percent-decoded.
#}

{#- The query between '&'s ('&a=1&b=2&'), or null when the URL has no '?' before its fragment. -#}
{% macro url_query(url) -%}
    case
        when position('?' in split_part(coalesce({{ url }}, ''), '#', 1)) > 0
            then '&' || regexp_replace(split_part(coalesce({{ url }}, ''), '#', 1), '^[^?]*[?]', '') || '&'
    end
{%- endmacro %}

{#- The first value of parameter `name` (lower-case letters, digits, '_') in a url_query, or null. -#}
{% macro url_parameter(query, name) -%}
    {{ return(adapter.dispatch('url_parameter', 'clickstream')(query, name)) }}
{%- endmacro %}

{% macro default__url_parameter(query, name) -%}
    nullif(regexp_extract({{ query }}, '&{{ name }}=([^&]*)', 1, 'i'), '')
{%- endmacro %}

{% macro redshift__url_parameter(query, name) -%}
    nullif(regexp_substr({{ query }}, '&{{ name }}=([^&]*)', 1, 1, 'ie'), '')
{%- endmacro %}

{% macro has_any_url_parameter(query, names) -%}
    ({% for name in names %}{{ url_parameter(query, name) }} is not null{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{% macro sql_list(values) -%}
    ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#-
  The rules in order, from the lower-cased utm_source (`source`) and utm_medium (`medium`), null
  when absent, and whether a search / social ad click id is present (booleans).
-#}
{% macro channel_rule(source, medium, has_search_click_id, has_social_click_id) -%}
    {%- set search = sql_list(['google', 'bing', 'yahoo', 'duckduckgo', 'baidu', 'yandex', 'ecosia', 'naver', 'qwant', 'startpage']) -%}
    {%- set social = sql_list(['facebook', 'fb', 'instagram', 'ig', 'twitter', 'x', 't.co', 'linkedin', 'pinterest', 'tiktok', 'reddit', 'snapchat', 'youtube']) -%}
    {%- set paid = '(' ~ medium ~ " like '%cp%' or " ~ medium ~ " = 'ppc' or " ~ medium ~ " = 'retargeting' or " ~ medium ~ " like 'paid%')" -%}
    case
        when {{ medium }} is null and {{ has_search_click_id }} then 'paid_search'
        when {{ medium }} is null and {{ has_social_click_id }} then 'paid_social'
        when {{ medium }} is null and {{ source }} is null then 'direct'
        when coalesce({{ source }}, '') = '(direct)' and coalesce({{ medium }}, '') in ('(none)', '(not set)', '') then 'direct'
        when {{ paid }} and {{ source }} in {{ search }} then 'paid_search'
        when {{ paid }} and {{ source }} in {{ social }} then 'paid_social'
        when {{ medium }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'display'
        when {{ paid }} then 'other'
        when {{ source }} in {{ social }}
            or {{ medium }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media') then 'organic_social'
        when {{ source }} in {{ search }} or {{ medium }} = 'organic' then 'organic_search'
        when {{ medium }} in ('referral', 'app', 'link') then 'referral'
        when {{ source }} in ('email', 'e-mail', 'e_mail', 'e mail')
            or {{ medium }} in ('email', 'e-mail', 'e_mail', 'e mail') then 'email'
        when {{ medium }} = 'affiliate' then 'affiliate'
        else 'other'
    end
{%- endmacro %}

{#- The same as channel_rule over the parameters of a url_query (for one-off use: see int_clicks_with_channel). -#}
{% macro channel_of_query(query) -%}
    {{ channel_rule(
        'lower(' ~ url_parameter(query, 'utm_source') ~ ')',
        'lower(' ~ url_parameter(query, 'utm_medium') ~ ')',
        has_any_url_parameter(query, ['gclid', 'gbraid', 'wbraid', 'msclkid']),
        has_any_url_parameter(query, ['fbclid', 'ttclid', 'li_fat_id']),
    ) }}
{%- endmacro %}

{% macro channel_of(url) -%}
    {{ channel_of_query(url_query(url)) }}
{%- endmacro %}

{% macro campaign_of(url) -%}
    {{ url_parameter(url_query(url), 'utm_campaign') }}
{%- endmacro %}
