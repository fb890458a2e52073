// The browser tests' own pipeline, next to (never mixed with) the demo: their own database,
// topics, consumer groups and ports, and a fixed admin token. playwright.config.ts starts the
// processes with these settings; the tests import the token and names from here.
import { withDatabaseName } from '../../test/db/test-database.ts';

export const E2E = {
  webPort: 3100,
  workerMetricsPort: 9564,
  /** The jobs worker's /healthz (its identity: the lake spec checks who ran the export). */
  jobsPort: 9566,
  databaseReadyPort: 9565,
  /** A test database name (the prefix lets the test-database guard drop it). */
  databaseName: 'clickstream_test_e2e',
  clicksTopic: 'e2e-clicks',
  checkoutsTopic: 'e2e-checkouts',
  groupPrefix: 'clickstream-e2e',
  partitions: 2,
  /** Short lateness, so rows turn final within seconds of their checkout. */
  allowedLatenessMs: 3_000,
  adminToken: 'e2e-admin-token-not-a-secret-0123456789',
} as const;

export function e2eDatabaseUrl(baseUrl: string): string {
  return withDatabaseName(baseUrl, E2E.databaseName);
}

/**
 * The settings every e2e process gets (on top of .env.local's broker and database server). The
 * web server logs in as the web role (least privilege) when the stack made one.
 */
export function e2eEnvironment(
  baseDatabaseUrl: string,
  baseWebDatabaseUrl?: string,
): Record<string, string> {
  return {
    DATABASE_URL: e2eDatabaseUrl(baseDatabaseUrl),
    ...(baseWebDatabaseUrl ? { WEB_DATABASE_URL: e2eDatabaseUrl(baseWebDatabaseUrl) } : {}),
    CLICKS_TOPIC: E2E.clicksTopic,
    CHECKOUTS_TOPIC: E2E.checkoutsTopic,
    CONSUMER_GROUP_PREFIX: E2E.groupPrefix,
    TOPIC_PARTITIONS: String(E2E.partitions),
    ALLOWED_LATENESS_MS: String(E2E.allowedLatenessMs),
    IDLE_TIMEOUT_MS: '3000',
    SNAPSHOT_INTERVAL_MS: '2000',
    WORKER_METRICS_URL: `http://127.0.0.1:${E2E.workerMetricsPort}/metrics`,
    ADMIN_TOKEN: E2E.adminToken,
  };
}
