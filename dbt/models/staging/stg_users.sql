-- Versions of each user's name (SCD type 2): valid_from inclusive, valid_to exclusive, null = current.
with source as (
    select * from {{ source('lake', 'users') }}
),

renamed as (
    select
        user_id,
        username as user_name,
        cast(valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        is_current
    from source
)

select * from renamed
