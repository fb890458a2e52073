-- The checkouts on which the two layers differ, with both answers and the reason: the table the
-- admin page lists, each row linking to the checkout's detail page.
select
    checkout_id,
    checkout_date,
    outcome as reason,
    batch_click_id,
    batch_click_time,
    speed_click_id,
    speed_click_time,
    is_speed_final,
    is_speed_late
from {{ ref('int_layer_comparison') }}
where outcome <> 'agree'
