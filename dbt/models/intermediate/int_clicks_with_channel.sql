-- Each deduplicated click with its channel and campaign (docs/channels.md, macros/channel_of.sql).
-- The URL is read from the lake copy int_clicks_deduplicated kept (matched by its Kafka
-- coordinates), so only the two short derived columns enter the warehouse, not the URL.
with kept as (
    select click_id, user_id, product_id, click_time, click_date, kafka_partition, kafka_offset, ingested_at
    from {{ ref('int_clicks_deduplicated') }}
),

urls as (
    select
        kept.click_id,
        {{ url_query('raw.url') }} as url_query
    from {{ ref('stg_clicks') }} as raw
    inner join kept
        on kept.kafka_partition = raw.kafka_partition
        and kept.kafka_offset = raw.kafka_offset
        and kept.click_id = raw.click_id
),

parameters as (
    select
        click_id,
        lower({{ url_parameter('url_query', 'utm_source') }}) as utm_source,
        lower({{ url_parameter('url_query', 'utm_medium') }}) as utm_medium,
        {{ url_parameter('url_query', 'utm_campaign') }} as campaign,
        {{ has_any_url_parameter('url_query', ['gclid', 'gbraid', 'wbraid', 'msclkid']) }} as has_search_click_id,
        {{ has_any_url_parameter('url_query', ['fbclid', 'ttclid', 'li_fat_id']) }} as has_social_click_id
    from urls
)

select
    kept.click_id,
    kept.user_id,
    kept.product_id,
    kept.click_time,
    kept.click_date,
    {{ channel_rule('parameters.utm_source', 'parameters.utm_medium', 'parameters.has_search_click_id', 'parameters.has_social_click_id') }} as channel,
    parameters.campaign,
    kept.ingested_at
from kept
inner join parameters
    on parameters.click_id = kept.click_id
