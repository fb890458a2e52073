-- commerce.job_runs becomes the jobs worker's queue (see model JobRun): the web enqueues a row
-- ('queued'), a jobs worker claims it (FOR UPDATE SKIP LOCKED) and keeps heartbeat_at fresh while
-- it runs; a 'running' row whose heartbeat is older than the lease is taken over by any worker.
ALTER TABLE "commerce"."job_runs"
    ADD COLUMN "heartbeat_at" TIMESTAMPTZ(3),
    ADD COLUMN "claimed_by" TEXT,
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "scheduled_for" TIMESTAMPTZ(3);

-- A scheduled time enqueues at most one run of a kind, whichever jobs worker fires it.
CREATE UNIQUE INDEX "job_runs_kind_scheduled_for_key" ON "commerce"."job_runs"("kind", "scheduled_for");

-- Runs the earlier in-process stores left 'running' (their process may be gone): all but the
-- newest of each kind are failed, so the index below can hold; the newest has no heartbeat and
-- is taken over by the first jobs worker.
UPDATE "commerce"."job_runs" AS r
   SET "status" = 'failed', "finished_at" = now(),
       "error" = 'interrupted: the process running it stopped before it finished'
 WHERE r."status" = 'running'
   AND EXISTS (SELECT 1 FROM "commerce"."job_runs" AS n
                WHERE n."kind" = r."kind" AND n."status" = 'running' AND n."started_at" > r."started_at");

-- Not expressible in schema.prisma: at most one queued or running run per kind (the lake table
-- and the DuckDB warehouse take one writer). Enqueueing a second is refused by the database, so
-- two web processes (or the schedule and the admin page) can never both start one.
CREATE UNIQUE INDEX "job_runs_one_active_per_kind" ON "commerce"."job_runs"("kind")
    WHERE "status" IN ('queued', 'running');
