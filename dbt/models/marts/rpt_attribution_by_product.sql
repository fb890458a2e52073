-- Revenue credited per model, checkout date, product and channel, from fct_attribution_credits
-- (channel 'unattributed': checkouts with no candidate click).
{{ attributed_revenue_sums(['model', 'checkout_date', 'product_id', 'channel']) }}
