-- Revenue credited per model, checkout date, channel and campaign (campaign null: none), from
-- fct_attribution_credits. Channel 'unattributed' holds the checkouts with no candidate click
-- (the same under every model), so one model's rows of a day add up to the day's revenue. The
-- models job publishes this table to commerce.attribution_by_channel for the web.
{{ attributed_revenue_sums(['model', 'checkout_date', 'channel', 'campaign']) }}
