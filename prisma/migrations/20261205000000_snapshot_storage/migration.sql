-- Issue 13: snapshot states are binary and compress poorly (a base to about two thirds), yet
-- PostgreSQL's default TOAST compression (pglz) spent 80 ms of the server's CPU on each 2.8 MB
-- base it stored (26 ms stored as is), on the cores the broker and the workers share. In the
-- speed-layer benchmark at 10k events/s, each round that wrote a base held the rows of that
-- moment back by up to 360 ms. States are stored out of line and uncompressed (not expressible
-- in schema.prisma); rows written before keep their compression until they are replaced.
ALTER TABLE "commerce"."speed_snapshots" ALTER COLUMN "state" SET STORAGE EXTERNAL;
ALTER TABLE "commerce"."speed_snapshot_deltas" ALTER COLUMN "state" SET STORAGE EXTERNAL;
