-- One row per checkout_id: the copy with the smallest (checkout_time, kafka_partition,
-- kafka_offset), as the lake contract says (a producer retry or a replay may have written a
-- checkout twice).
{{
    deduplicate(
        relation=ref('stg_checkouts'),
        id_column='checkout_id',
        order_by='copies.checkout_time, copies.kafka_partition, copies.kafka_offset',
        columns=[
            'checkout_id', 'user_id', 'product_id', 'payment_method', 'total_amount',
            'shipping_address', 'billing_address', 'user_agent', 'ip_address', 'checkout_time',
            'checkout_date', 'kafka_partition', 'kafka_offset', 'ingested_at',
        ],
    )
}}
