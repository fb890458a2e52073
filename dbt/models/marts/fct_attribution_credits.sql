{#
  The attribution models (dbt/README.md, "Attribution models"): per checkout and model, the
  credit each candidate click earns. Candidates are the rule's (same user and product,
  checkout_time - lookback <= click_time <= checkout_time, var attribution_lookback_hours,
  default 1), ordered by (click_time, click_id in byte order) as positions 1..n:

    first_click     position 1 gets 1 (= fct_checkout_attribution with the default lookback)
    last_click      position n gets 1 (the largest (click_time, click_id): first click inverted)
    linear          1/n each
    time_decay      2^(-age / half_life), normalised (age = checkout_time - click_time;
                    var attribution_half_life_seconds, default half the lookback)
    position_based  40% first, 40% last, 20% shared by the middle; n = 1: 100%; n = 2: 50/50

  Amounts: each click's share of total_amount in cents by largest remainder (floors first, then
  one cent each to the largest remainders, ties to the earlier position), so per checkout and
  model the credits sum to total_amount exactly. A checkout with no candidate gets one row per
  model with no click, channel 'unattributed' and the whole amount, so every checkout's revenue is
  here once per model. Incremental by checkout date like fct_checkout_attribution (rows replaced
  by checkout_id); a full refresh gives the same rows.
#}
{{
    config(
        materialized='incremental',
        unique_key='checkout_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{%- if flags.INTROSPECT -%}
    {%- set incremental = is_incremental() -%}
{%- else -%}
    {%- set incremental = var('offline_incremental', false) -%}
{%- endif %}
{%- set lookback_hours = attribution_lookback_hours() %}
{%- set half_life_seconds = attribution_half_life_seconds() %}

with

{% if incremental %}

last_run as (
    select
        coalesce(max(lake_ingested_through), cast('1970-01-01' as {{ dbt.type_timestamp() }})) as ingested_at,
        -- Rows written under other settings: every date is recomputed.
        max(case when lookback_hours <> {{ lookback_hours }} or half_life_seconds <> {{ half_life_seconds }} then 1 else 0 end) as is_settings_changed
    from {{ this }}
),

-- A checkout without rows yet is new whatever its Kafka timestamp (fct_checkout_attribution).
new_checkouts as (
    select checkout_date
    from {{ ref('int_checkouts_deduplicated') }}
    where ingested_at > (select ingested_at from last_run)
        or (select is_settings_changed from last_run) = 1
    union all
    select checkouts.checkout_date
    from {{ ref('int_checkouts_deduplicated') }} as checkouts
    left join (select distinct checkout_id from {{ this }}) as done
        on done.checkout_id = checkouts.checkout_id
    where done.checkout_id is null
),

-- A new click can change the checkouts of its own date up to the date of click_time + lookback.
new_clicks as (
    select click_date, {{ last_reachable_date_in_lookback('click_time') }} as last_reachable_date
    from {{ ref('int_clicks_with_channel') }}
    where ingested_at > (select ingested_at from last_run)
),

affected_dates as (
    select checkout_date as affected_date from new_checkouts
    {%- for days in range(0, (lookback_hours // 24) + 2) %}
    union
    select cast({{ dbt.dateadd('day', days, 'click_date') }} as date)
    from new_clicks
    where cast({{ dbt.dateadd('day', days, 'click_date') }} as date) <= last_reachable_date
    {%- endfor %}
),

{% endif %}

lake_ingested_through as (
    select max(ingested_at) as ingested_at
    from (
        select max(ingested_at) as ingested_at from {{ ref('int_checkouts_deduplicated') }}
        union all
        select max(ingested_at) as ingested_at from {{ ref('int_clicks_with_channel') }}
    ) as newest
),

checkouts as (
    select checkout_id, user_id, product_id, total_amount, checkout_time, checkout_date
    from {{ ref('int_checkouts_deduplicated') }}
    {% if incremental %}
    where checkout_date in (select affected_date from affected_dates)
    {% endif %}
),

clicks as (
    select
        click_id, user_id, product_id, click_time, channel, campaign,
        {{ lookback_bucket('click_time') }} as click_bucket
    from {{ ref('int_clicks_with_channel') }}
    {% if incremental %}
    -- The clicks of the affected dates' windows (a superset when the dates are scattered).
    where click_date <= (select max(affected_date) from affected_dates)
        and click_time >= {{ dbt.dateadd('hour', -lookback_hours, '(select cast(min(affected_date) as ' ~ dbt.type_timestamp() ~ ') from affected_dates)') }}
    {% endif %}
),

-- Each checkout once for each of the two lookback-sized buckets its window touches.
checkout_buckets as (
    select checkout_id, user_id, product_id, checkout_time, {{ lookback_bucket('checkout_time') }} as window_bucket
    from checkouts
    union all
    select checkout_id, user_id, product_id, checkout_time, {{ lookback_bucket('checkout_time') }} - 1 as window_bucket
    from checkouts
),

candidates as (
    select
        checkout_buckets.checkout_id,
        clicks.click_id,
        clicks.click_time,
        clicks.channel,
        clicks.campaign
    from checkout_buckets
    inner join clicks
        on clicks.user_id = checkout_buckets.user_id
        and clicks.product_id = checkout_buckets.product_id
        and clicks.click_bucket = checkout_buckets.window_bucket
        and {{ is_in_lookback_window('clicks.click_time', 'checkout_buckets.checkout_time') }}
),

positioned as (
    select
        candidates.checkout_id,
        candidates.click_id,
        candidates.click_time,
        candidates.channel,
        candidates.campaign,
        row_number() over (
            partition by candidates.checkout_id
            order by candidates.click_time, {{ byte_ordered('candidates.click_id') }}
        ) as click_position,
        count(*) over (partition by candidates.checkout_id) as candidate_count,
        {{ dbt.datediff('candidates.click_time', 'checkouts.checkout_time', 'millisecond') }} as age_ms
    from candidates
    inner join checkouts
        on checkouts.checkout_id = candidates.checkout_id
),

-- Time decay relative to the newest candidate (factor 1), so no factor underflows to a zero sum.
decay_ages as (
    select
        *,
        age_ms - min(age_ms) over (partition by checkout_id) as age_beyond_newest_ms
    from positioned
),

decayed as (
    select
        *,
        power(
            cast(2 as double precision),
            -cast(age_beyond_newest_ms as double precision) / {{ half_life_seconds * 1000 }}
        ) as decay_factor
    from decay_ages
),

shares as (
    select checkout_id, click_id, click_position, cast('first_click' as varchar(32)) as model, cast(1 as double precision) as share
    from positioned
    where click_position = 1

    union all

    select checkout_id, click_id, click_position, cast('last_click' as varchar(32)) as model, cast(1 as double precision) as share
    from positioned
    where click_position = candidate_count

    union all

    select checkout_id, click_id, click_position, cast('linear' as varchar(32)) as model, cast(1 as double precision) / candidate_count as share
    from positioned

    union all

    select
        checkout_id, click_id, click_position, cast('time_decay' as varchar(32)) as model,
        decay_factor / sum(decay_factor) over (partition by checkout_id) as share
    from decayed

    union all

    select
        checkout_id, click_id, click_position, cast('position_based' as varchar(32)) as model,
        case
            when candidate_count = 1 then cast(1 as double precision)
            when candidate_count = 2 then cast(0.5 as double precision)
            when click_position = 1 or click_position = candidate_count then cast(0.4 as double precision)
            else cast(0.2 as double precision) / (candidate_count - 2)
        end as share
    from positioned
),

-- Checkouts without a candidate: the whole amount, once per model, on no click.
unattributed as (
    select checkouts.checkout_id, cast(null as {{ dbt.type_string() }}) as click_id, 1 as click_position, models.model, cast(1 as double precision) as share
    from checkouts
    cross join (
        select cast('first_click' as varchar(32)) as model
        union all select 'last_click'
        union all select 'linear'
        union all select 'time_decay'
        union all select 'position_based'
    ) as models
    where not exists (select 1 from candidates where candidates.checkout_id = checkouts.checkout_id)
),

all_shares as (
    select * from shares
    union all
    select * from unattributed
),

-- Largest remainder on cents (exact for amounts below 2^53 cents, about 9e13).
cents as (
    select
        all_shares.*,
        checkouts.total_amount,
        cast(checkouts.total_amount as double precision) * 100 * all_shares.share as share_cents,
        floor(cast(checkouts.total_amount as double precision) * 100 * all_shares.share) as floor_cents,
        round(cast(checkouts.total_amount as double precision) * 100) as amount_cents
    from all_shares
    inner join checkouts
        on checkouts.checkout_id = all_shares.checkout_id
),

ranked as (
    select
        *,
        amount_cents - sum(floor_cents) over (partition by checkout_id, model) as leftover_cents,
        row_number() over (
            partition by checkout_id, model
            order by share_cents - floor_cents desc, click_position
        ) as remainder_rank,
        -- The click that absorbs any difference left by double-precision rounding (none below
        -- 2^53 cents): the largest share, the earliest on ties.
        row_number() over (partition by checkout_id, model order by share desc, click_position) as absorber_rank
    from cents
),

provisional as (
    select
        *,
        cast(
            -- least(): a double near the largest amount (36 integer digits) rounds up to 1e38
            -- cents, one digit more than decimal(38, 0) holds (9.999999999999999e37 is that same
            -- double); the absorber's exact amount below does not use this figure, and every
            -- other share is far below it.
            cast(least(floor_cents + case when remainder_rank <= leftover_cents then 1 else 0 end, 9.99999999999999e37) as decimal(38, 0)) * 0.01
            as decimal(38, 2)
        ) as provisional_amount
    from ranked
),

credited as (
    select
        *,
        case
            when absorber_rank = 1 then total_amount - coalesce(
                sum(case when absorber_rank <> 1 then provisional_amount end) over (partition by checkout_id, model),
                cast(0 as decimal(38, 2))
            )
            else provisional_amount
        end as credited_amount
    from provisional
),

final as (
    select
        credited.checkout_id,
        checkouts.user_id,
        credited.model,
        credited.click_id,
        case when credited.click_id is null then null else credited.click_position end as click_position,
        coalesce(positioned.candidate_count, 0) as candidate_count,
        cast(credited.share as decimal(38, 10)) as weight,
        cast(credited.credited_amount as decimal(38, 2)) as credited_amount,
        checkouts.total_amount,
        positioned.click_time,
        coalesce(positioned.channel, cast('unattributed' as varchar(32))) as channel,
        positioned.campaign,
        checkouts.product_id,
        checkouts.checkout_time,
        checkouts.checkout_date,
        {{ lookback_hours }} as lookback_hours,
        cast({{ half_life_seconds }} as double precision) as half_life_seconds,
        (select ingested_at from lake_ingested_through) as lake_ingested_through
    from credited
    inner join checkouts
        on checkouts.checkout_id = credited.checkout_id
    left join positioned
        on positioned.checkout_id = credited.checkout_id
        and positioned.click_id = credited.click_id
)

select * from final
