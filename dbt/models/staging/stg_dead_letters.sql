-- Messages the pipeline could not parse. `partition`, `offset` and `raw` are reserved words, hence quoted.
with source as (
    select * from {{ source('lake', 'dead_letters') }}
),

renamed as (
    select
        topic as kafka_topic,
        {{ adapter.quote('partition') }} as kafka_partition,
        {{ adapter.quote('offset') }} as kafka_offset,
        {{ adapter.quote('raw') }} as raw_message,
        reason,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at,
        ingest_date
    from source
)

select * from renamed
