-- One row per click as read from the lake (duplicates kept): renamed and cast to UTC timestamps.
with source as (
    select * from {{ source('lake', 'clicks') }}
    {% if target.type == 'duckdb' -%}
    -- A lake written before session_id existed, not yet evolved by an export (docs/lake.md), reads
    -- the column as null instead of failing; BY NAME fills the columns a side lacks with null.
    union all by name
    select cast(null as varchar) as session_id where false
    {%- endif %}
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
        session_id,
        cast(event_time as {{ dbt.type_timestamp() }}) as click_time,
        event_date as click_date,
        kafka_topic,
        kafka_partition,
        kafka_offset,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at
    from source
)

select * from renamed
