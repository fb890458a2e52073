-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "commerce";

-- CreateTable
CREATE TABLE "commerce"."users" (
    "id" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "password" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commerce"."products" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "price" DECIMAL(10,2),

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commerce"."attributed_checkouts" (
    "checkout_id" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "user_name" TEXT NOT NULL,
    "click_id" TEXT,
    "product_id" TEXT NOT NULL,
    "payment_method" TEXT NOT NULL,
    "total_amount" DECIMAL(14,2) NOT NULL,
    "shipping_address" TEXT NOT NULL,
    "billing_address" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,
    "ip_address" TEXT NOT NULL,
    "checkout_time" TIMESTAMPTZ(3) NOT NULL,
    "click_time" TIMESTAMPTZ(3),
    "is_final" BOOLEAN NOT NULL,
    "is_unknown_user" BOOLEAN NOT NULL,
    "is_late" BOOLEAN NOT NULL DEFAULT false,
    "partition" INTEGER NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL,
    "first_written_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "attributed_checkouts_pkey" PRIMARY KEY ("checkout_id")
);

-- CreateTable
CREATE TABLE "commerce"."dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "raw" BYTEA NOT NULL,
    "reason" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commerce"."speed_snapshots" (
    "partition" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "offsets" JSONB NOT NULL,
    "watermark_ms" BIGINT,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "size_bytes" INTEGER NOT NULL,

    CONSTRAINT "speed_snapshots_pkey" PRIMARY KEY ("partition")
);

-- CreateTable
CREATE TABLE "commerce"."job_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "progress" JSONB,
    "result" JSONB,
    "error" TEXT,

    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "attributed_checkouts_checkout_time_checkout_id_idx" ON "commerce"."attributed_checkouts"("checkout_time" DESC, "checkout_id" DESC);

-- CreateIndex
CREATE INDEX "attributed_checkouts_user_id_checkout_time_idx" ON "commerce"."attributed_checkouts"("user_id", "checkout_time");

-- CreateIndex
CREATE INDEX "attributed_checkouts_product_id_checkout_time_idx" ON "commerce"."attributed_checkouts"("product_id", "checkout_time");

-- CreateIndex
CREATE INDEX "attributed_checkouts_is_final_idx" ON "commerce"."attributed_checkouts"("is_final");

-- CreateIndex
CREATE INDEX "dead_letters_received_at_idx" ON "commerce"."dead_letters"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_topic_partition_offset_key" ON "commerce"."dead_letters"("topic", "partition", "offset");

-- CreateIndex
CREATE INDEX "job_runs_kind_started_at_idx" ON "commerce"."job_runs"("kind", "started_at" DESC);

-- Not expressible in schema.prisma: the speed layer's user-name cache listens on
-- `clickstream_users` and reloads the user whose id is the payload.
CREATE FUNCTION "commerce"."notify_users_changed"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('clickstream_users', OLD.id::text);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
        PERFORM pg_notify('clickstream_users', OLD.id::text);
    END IF;
    PERFORM pg_notify('clickstream_users', NEW.id::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER "users_notify_changed"
AFTER INSERT OR UPDATE OR DELETE ON "commerce"."users"
FOR EACH ROW EXECUTE FUNCTION "commerce"."notify_users_changed"();
