// The admin page's jobs as the web process sees them, logged in as the web role (its grants:
// SELECT and INSERT on job_runs): it queues a run, a second start is refused with the reason (the
// 409 of POST /api/admin/{lake,models}/run), and it reads the run a jobs worker claimed, with the
// worker's identity and progress.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPrisma, type PrismaClient } from '../db/client.ts';
import {
  createTestDatabase,
  withDatabaseName,
  type TestDatabase,
} from '../../test/db/test-database.ts';
import { provisionWebRole } from '../db/web-role.ts';
import { JobRunStore } from '../jobs/job-run-store.ts';
import { JobsAdmin } from './jobs-admin.ts';

const config = loadConfig();
let db: TestDatabase;
let owner: PrismaClient;
let web: PrismaClient;
let baseDir: string;

beforeAll(async () => {
  db = await createTestDatabase(config.DATABASE_URL);
  let webUrl = db.url;
  if (config.WEB_DATABASE_URL) {
    webUrl = withDatabaseName(config.WEB_DATABASE_URL, db.name);
    await provisionWebRole(db.url, webUrl);
  }
  owner = createPrisma(db.url);
  web = createPrisma(webUrl);
  baseDir = mkdtempSync(path.join(tmpdir(), 'jobs-admin-'));
});

afterAll(async () => {
  await web?.$disconnect();
  await owner?.$disconnect();
  await db?.drop();
  if (baseDir) rmSync(baseDir, { recursive: true, force: true });
});

describe('JobsAdmin', () => {
  it('queues a run, refuses a second while it is queued or running, and shows its progress', async () => {
    const admin = new JobsAdmin({ prisma: () => web, lakeUri: 'lake', baseDir });
    const first = await admin.enqueue('lake_export');
    expect(first).toEqual({ started: true, runId: expect.any(String) });
    const runId = first.started ? first.runId : '';
    expect(await admin.enqueue('lake_export')).toEqual({
      started: false,
      conflict: true,
      message: expect.stringMatching(/^a lake export is already queued \(run [0-9a-f-]+,/),
    });
    expect(await admin.status('lake_export')).toMatchObject({
      running: true,
      current: { id: runId, status: 'queued', claimedBy: null },
    });

    // A jobs worker claims it and reports progress.
    const worker = new JobRunStore(owner);
    await worker.claim(['lake_export'], 'jobs 7@jobs-host');
    await worker.writeProgress(runId, 'jobs 7@jobs-host', { phase: 'reading' });
    expect(await admin.enqueue('lake_export')).toMatchObject({
      started: false,
      message: expect.stringMatching(/already running/),
    });
    const status = await admin.status('lake_export');
    expect(status.current).toMatchObject({
      id: runId,
      status: 'running',
      claimedBy: 'jobs 7@jobs-host',
      progress: { phase: 'reading' },
    });
    await worker.finish(runId, 'jobs 7@jobs-host', {
      status: 'succeeded',
      progress: { phase: 'done' },
      result: { tables: {} },
      error: null,
    });
    expect(await admin.status('lake_export')).toMatchObject({
      running: false,
      current: null,
      runs: [{ id: runId, status: 'succeeded', result: { tables: {} } }],
    });
  });

  it('refuses a models run while there is no lake to model', async () => {
    const admin = new JobsAdmin({ prisma: () => web, lakeUri: 'no-lake-here', baseDir });
    expect(await admin.enqueue('models')).toMatchObject({
      started: false,
      conflict: true,
      message: expect.stringContaining('There is no lake at'),
    });
  });
});
