// The models job's bookkeeping on a real database: one run at a time, and a run whose process
// died is taken over at once (not after hours).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createPrisma, type PrismaClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../../lib/db/test-database.ts';
import { ModelsRunInProgressError, startModelsJob } from './job-run-store.ts';

describe('models job runs', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase(loadConfig().DATABASE_URL);
    prisma = createPrisma(db.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('refuses a second run while the first one’s process lives', async () => {
    const first = await startModelsJob(prisma);
    await expect(startModelsJob(prisma)).rejects.toBeInstanceOf(ModelsRunInProgressError);
    await prisma.jobRun.update({ where: { id: first }, data: { status: 'succeeded' } });
  });

  it('takes over at once a run whose process has died', async () => {
    const first = await startModelsJob(prisma);
    // A pid that surely no longer exists: a child that has already exited.
    const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    });
    const deadPid = Number(child.stdout.trim());
    const row = await prisma.jobRun.findUniqueOrThrow({ where: { id: first } });
    await prisma.jobRun.update({
      where: { id: first },
      data: {
        progress: {
          ...(row.progress as object),
          owner: { ...(row.progress as { owner: object }).owner, pid: deadPid },
        },
      },
    });
    const next = await startModelsJob(prisma);
    expect(next).not.toBe(first);
    expect(await prisma.jobRun.findUniqueOrThrow({ where: { id: first } })).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('abandoned'),
    });
  });
});
