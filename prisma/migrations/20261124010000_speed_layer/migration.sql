-- The speed layer's needs: user ids beyond 32 bits in checkouts, and snapshots
-- keyed by pipeline (the attributor's consumer group) as well as partition, so
-- several pipelines (e.g. tests, a staging group) never share state.
ALTER TABLE "commerce"."attributed_checkouts" ALTER COLUMN "user_id" SET DATA TYPE BIGINT;

ALTER TABLE "commerce"."speed_snapshots" DROP CONSTRAINT "speed_snapshots_pkey";
ALTER TABLE "commerce"."speed_snapshots" ADD COLUMN "pipeline" TEXT NOT NULL DEFAULT 'clickstream-attributor';
ALTER TABLE "commerce"."speed_snapshots" ALTER COLUMN "pipeline" DROP DEFAULT;
ALTER TABLE "commerce"."speed_snapshots" ADD CONSTRAINT "speed_snapshots_pkey" PRIMARY KEY ("pipeline", "partition");

-- Filters of the checkout browser.
CREATE INDEX "attributed_checkouts_click_id_idx" ON "commerce"."attributed_checkouts"("click_id");
