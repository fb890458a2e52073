-- The channel_of / campaign_of macros give every case of seeds/channel_cases.csv its channel and
-- campaign (the same table lib/domain/channel.test.ts checks channelOf / campaignOf against).
-- Fails with the cases that differ.
with cases as (
    select
        url,
        channel as expected_channel,
        campaign as expected_campaign,
        {{ channel_of('url') }} as actual_channel,
        {{ campaign_of('url') }} as actual_campaign
    from {{ ref('channel_cases') }}
)

select *
from cases
where actual_channel <> expected_channel
    or coalesce(actual_campaign, '<none>') <> coalesce(expected_campaign, '<none>')
    or (actual_campaign is null) <> (expected_campaign is null)
