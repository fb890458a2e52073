-- One row per click_id: the copy with the smallest (click_time, kafka_partition, kafka_offset),
-- as the lake contract says (a producer retry or a replay may have written a click twice).
-- Only the columns the models use: copying the lake's long strings (url, user agent, ip) into the
-- warehouse would be most of the cost of the build, for columns no model reads.
{{
    deduplicate(
        relation=ref('stg_clicks'),
        id_column='click_id',
        order_by='copies.click_time, copies.kafka_partition, copies.kafka_offset',
        columns=[
            'click_id', 'user_id', 'product_id', 'product_name', 'price', 'click_time', 'click_date',
            'kafka_partition', 'kafka_offset', 'ingested_at',
        ],
    )
}}
