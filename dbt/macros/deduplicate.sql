{#
  One row per `id_column` from `relation` (raw events as read from Kafka): the copy that sorts
  first by `order_by`. Duplicates are rare (a producer retry, a replay), so the work is kept
  narrow: only the ids that occur more than once are ranked, on the columns the ranking needs,
  and one full pass then drops the later copies, named by their Kafka coordinates (topic,
  partition, offset), which the lake export writes once each. Returns `columns`.
#}
{% macro deduplicate(relation, id_column, order_by, columns) -%}
    with duplicated_ids as (
        select {{ id_column }} as duplicated_id
        from {{ relation }}
        group by {{ id_column }}
        having count(*) > 1
    ),

    ranked_duplicates as (
        select
            copies.kafka_topic,
            copies.kafka_partition,
            copies.kafka_offset,
            row_number() over (partition by copies.{{ id_column }} order by {{ order_by }}) as copy_rank
        from {{ relation }} as copies
        inner join duplicated_ids
            on duplicated_ids.duplicated_id = copies.{{ id_column }}
    ),

    later_copies as (
        select kafka_topic, kafka_partition, kafka_offset
        from ranked_duplicates
        where copy_rank > 1
    )

    select {% for column in columns %}copies.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ relation }} as copies
    left join later_copies
        on later_copies.kafka_topic = copies.kafka_topic
        and later_copies.kafka_partition = copies.kafka_partition
        and later_copies.kafka_offset = copies.kafka_offset
    where later_copies.kafka_offset is null
{%- endmacro %}
