-- The reconciliation's counts are consistent: agreeing + differing = all, the reasons add up to
-- the differences, and each layer's count matches the model it comes from. Returns bad days.
with report as (
    select * from {{ ref('rpt_layer_reconciliation') }}
),

batch_per_day as (
    select checkout_date, count(*) as checkouts
    from {{ ref('fct_checkout_attribution') }}
    group by checkout_date
)

select report.checkout_date
from report
left join batch_per_day
    on batch_per_day.checkout_date = report.checkout_date
where report.agreeing_checkouts + report.differing_checkouts <> report.all_checkouts
    or report.missing_in_speed + report.missing_in_batch + report.other_click + report.late_data
        <> report.differing_checkouts
    or report.batch_checkouts <> coalesce(batch_per_day.checkouts, 0)
    or report.all_checkouts < report.batch_checkouts
    or report.all_checkouts < report.speed_checkouts
