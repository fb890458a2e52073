-- One row per checkout as read from the lake (duplicates kept): renamed and cast to UTC timestamps.
with source as (
    select * from {{ source('lake', 'checkouts') }}
),

renamed as (
    select
        checkout_id,
        user_id,
        product_id,
        payment_method,
        total_amount,
        shipping_address,
        billing_address,
        user_agent,
        ip_address,
        cast(event_time as {{ dbt.type_timestamp() }}) as checkout_time,
        event_date as checkout_date,
        kafka_topic,
        kafka_partition,
        kafka_offset,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at
    from source
)

select * from renamed
