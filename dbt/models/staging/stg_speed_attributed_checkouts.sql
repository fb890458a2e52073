-- The speed layer's answer per checkout, as snapshotted by the last lake export.
with source as (
    select * from {{ source('lake', 'speed_attributed_checkouts') }}
),

renamed as (
    select
        checkout_id,
        user_id,
        user_name,
        click_id,
        product_id,
        total_amount,
        cast(checkout_time as {{ dbt.type_timestamp() }}) as checkout_time,
        cast(click_time as {{ dbt.type_timestamp() }}) as click_time,
        is_final,
        is_unknown_user,
        is_late,
        cast(snapshot_at as {{ dbt.type_timestamp() }}) as snapshot_at
    from source
)

select * from renamed
