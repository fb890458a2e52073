-- One row per click as read from the lake (duplicates kept): renamed and cast to UTC timestamps.
with source as (
    select * from {{ source('lake', 'clicks') }}
),

renamed as (
    select
        click_id,
        user_id,
        product_id,
        product as product_name,
        price,
        url,
        user_agent,
        ip_address,
        cast(event_time as {{ dbt.type_timestamp() }}) as click_time,
        event_date as click_date,
        kafka_topic,
        kafka_partition,
        kafka_offset,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at
    from source
)

select * from renamed
