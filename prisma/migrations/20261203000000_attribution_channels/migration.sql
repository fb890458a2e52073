-- Issue 14, attribution models and channels (docs/channels.md, lib/jobs/models-contract.ts).

-- The speed layer's attributed click's channel and campaign (lib/domain/channel.ts); null when
-- the checkout is unattributed, and on rows written before this migration.
ALTER TABLE "commerce"."attributed_checkouts"
    ADD COLUMN "click_channel" TEXT,
    ADD COLUMN "click_campaign" TEXT;

CREATE INDEX "attributed_checkouts_click_channel_checkout_time_idx"
    ON "commerce"."attributed_checkouts"("click_channel", "checkout_time");

-- The warehouse's attribution credits (dbt model fct_attribution_credits), published by every
-- successful models run in one transaction that replaces the previous publication. One row per
-- checkout, model and credited click; a checkout with no candidate click has no row.
CREATE TABLE "commerce"."attribution_credits" (
    "checkout_id" TEXT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "click_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "weight" DECIMAL(38,10) NOT NULL,
    "credited_amount" DECIMAL(38,2) NOT NULL,
    "click_time" TIMESTAMPTZ(3) NOT NULL,
    "channel" TEXT NOT NULL,
    "campaign" TEXT,
    "product_id" TEXT NOT NULL,
    "checkout_date" DATE NOT NULL,

    CONSTRAINT "attribution_credits_pkey" PRIMARY KEY ("checkout_id", "user_id", "model", "click_id")
);

CREATE INDEX "attribution_credits_model_checkout_date_idx"
    ON "commerce"."attribution_credits"("model", "checkout_date");

-- Revenue by model, day, channel and campaign (dbt model rpt_attribution_by_channel), published
-- with the credits. Unattributed checkouts are the rows whose channel is 'unattributed'.
CREATE TABLE "commerce"."attribution_by_channel" (
    "id" BIGSERIAL NOT NULL,
    "model" TEXT NOT NULL,
    "checkout_date" DATE NOT NULL,
    "channel" TEXT NOT NULL,
    "campaign" TEXT,
    "credited_amount" DECIMAL(38,2) NOT NULL,
    "conversions" DECIMAL(38,10) NOT NULL,
    "checkouts" INTEGER NOT NULL,
    "clicks" INTEGER NOT NULL,

    CONSTRAINT "attribution_by_channel_pkey" PRIMARY KEY ("id")
);

-- Not expressible in schema.prisma: one row per (model, day, channel, campaign), a null campaign
-- being one value (PostgreSQL 15).
CREATE UNIQUE INDEX "attribution_by_channel_grain_key"
    ON "commerce"."attribution_by_channel"("model", "checkout_date", "channel", "campaign") NULLS NOT DISTINCT;
