// The admin page's view of the real schema registry (SCHEMA_REGISTRY_URL): a subject registered
// here appears with its versions, ids, fields and compatibility; a registry that does not answer
// is reported as down with the reason, never thrown.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { CLICK_V1_SCHEMA, CLICK_V2_SCHEMA } from '../domain/wire-records.generated.ts';
import { registerSchema } from '../simulator/schema-registration.ts';
import { readRegistryOverview, schemaIdIndex } from './schema-registry-reader.ts';

const { SCHEMA_REGISTRY_URL: url, SCHEMA_COMPATIBILITY: compatibility } = loadConfig();

/** A local port nothing listens on (taken, then released): connecting is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('schema registry overview', () => {
  it('lists a subject with its versions, ids, fields and compatibility', async () => {
    if (!url) throw new Error('SCHEMA_REGISTRY_URL is not set: this test needs the real registry');
    const subject = `reader-test-${randomBytes(4).toString('hex')}-value`;
    const v1 = await registerSchema(url, subject, CLICK_V1_SCHEMA, compatibility);
    const v2 = await registerSchema(url, subject, CLICK_V2_SCHEMA, compatibility);
    const overview = await readRegistryOverview(url, { maxSubjects: 10_000 });
    expect(overview.state).toBe('up');
    if (overview.state !== 'up') return;
    const mine = overview.subjects.find((s) => s.subject === subject);
    expect(mine).toMatchObject({
      compatibility,
      versions: [
        { version: 1, id: v1 },
        { version: 2, id: v2 },
      ],
    });
    expect(mine!.versions[1]!.fields.at(-1)).toBe('session_id');
    expect(mine!.versions[0]!.fields).not.toContain('session_id');
    expect(schemaIdIndex(overview.subjects).get(v2)).toEqual({ subject, version: 2 });
  });

  it('reports a registry that does not answer as down, with the reason', async () => {
    const overview = await readRegistryOverview(
      `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`,
      {
        timeoutMs: 1_000,
      },
    );
    expect(overview).toMatchObject({ state: 'down', error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('says when no registry is configured', async () => {
    expect(await readRegistryOverview(undefined)).toEqual({ state: 'not_configured' });
  });
});
