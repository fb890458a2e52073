-- Incremental snapshots of the speed layer's partitions (docs/design.md, "Snapshots"). A base in
-- speed_snapshots starts a chain (a random id per base); the deltas written after it carry only
-- the changes since the previous snapshot of the chain, numbered from 1. Recovery reads the base
-- and its chain's deltas in order. Rows written before this migration are bases of chain ''.
ALTER TABLE "commerce"."speed_snapshots" ADD COLUMN "chain" TEXT NOT NULL DEFAULT '';
ALTER TABLE "commerce"."speed_snapshots" ADD COLUMN "seq" BIGINT NOT NULL DEFAULT 0;

CREATE TABLE "commerce"."speed_snapshot_deltas" (
    "pipeline" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "state" BYTEA NOT NULL,
    "offsets" JSONB NOT NULL,
    "watermark_ms" BIGINT,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "size_bytes" INTEGER NOT NULL,

    CONSTRAINT "speed_snapshot_deltas_pkey" PRIMARY KEY ("pipeline", "partition", "chain", "seq")
);
