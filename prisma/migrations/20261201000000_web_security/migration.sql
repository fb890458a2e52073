-- The web app's server-side sessions (see model WebSession), and an indexed dead-letter search.
CREATE TABLE "commerce"."web_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "secret_hash" TEXT NOT NULL,
    "token_epoch" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "client_address" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,

    CONSTRAINT "web_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "web_sessions_secret_hash_key" ON "commerce"."web_sessions"("secret_hash");

-- CreateIndex
CREATE INDEX "web_sessions_expires_at_idx" ON "commerce"."web_sessions"("expires_at");

-- Not expressible in schema.prisma: trigram indexes for the admin page's dead-letter search
-- (lib/web/dead-letter-queries.ts), so a search reads matching rows, not the whole table.
-- pg_trgm is a trusted extension: the database owner may create it. The payload is bytes, which
-- may not be UTF-8: its first 4 KiB are indexed in `escape` form (every byte maps to text), and
-- the query re-checks the bytes themselves.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "dead_letters_reason_trgm_idx" ON "commerce"."dead_letters"
    USING gin ("reason" gin_trgm_ops);

CREATE INDEX "dead_letters_raw_trgm_idx" ON "commerce"."dead_letters"
    USING gin ((encode(substring("raw" FROM 1 FOR 4096), 'escape')) gin_trgm_ops);
