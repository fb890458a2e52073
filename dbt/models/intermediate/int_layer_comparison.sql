-- One row per checkout known to either layer: the batch answer (fct_checkout_attribution) beside
-- the speed layer's (its snapshot in the lake), and the outcome of comparing them:
--   agree            both layers attributed the same click, or both none
--   missing_in_speed the batch layer has the checkout, the speed layer's snapshot has not
--   missing_in_batch the speed layer has a checkout the lake's history does not hold
--   late_data        different clicks, and the speed layer flagged the checkout late (it was
--                    attributed from what the stream still held, the batch layer sees everything)
--   other_click      different clicks otherwise
with batch as (
    select checkout_id, checkout_date, click_id, click_time
    from {{ ref('fct_checkout_attribution') }}
),

speed as (
    select
        checkout_id,
        cast(checkout_time as date) as checkout_date,
        click_id,
        click_time,
        is_final,
        is_late
    from {{ ref('stg_speed_attributed_checkouts') }}
),

compared as (
    select
        coalesce(batch.checkout_id, speed.checkout_id) as checkout_id,
        coalesce(batch.checkout_date, speed.checkout_date) as checkout_date,
        batch.checkout_id is not null as is_in_batch,
        speed.checkout_id is not null as is_in_speed,
        batch.click_id as batch_click_id,
        batch.click_time as batch_click_time,
        speed.click_id as speed_click_id,
        speed.click_time as speed_click_time,
        speed.is_final as is_speed_final,
        speed.is_late as is_speed_late,
        case
            when speed.checkout_id is null then 'missing_in_speed'
            when batch.checkout_id is null then 'missing_in_batch'
            when batch.click_id = speed.click_id then 'agree'
            when batch.click_id is null and speed.click_id is null then 'agree'
            when speed.is_late then 'late_data'
            else 'other_click'
        end as outcome
    from batch
    full outer join speed
        on speed.checkout_id = batch.checkout_id
)

select * from compared
