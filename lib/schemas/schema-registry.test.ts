import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createSchemaRegistry, registryErrorKind } from './schema-registry.ts';

/** A port where nothing listens: one just freed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('registry errors by kind', () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s)); // accepts, never answers
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('calls a refused connection transient', async () => {
    const registry = createSchemaRegistry(`http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`);
    const error = await registry.getSchema(1).catch((e: unknown) => e);
    expect(registryErrorKind(error)).toBe('transient');
  });

  it('calls a registry that never answers transient, after the timeout', async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    const registry = createSchemaRegistry(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
    const started = Date.now();
    const error = await registry.getSchema(1).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(registryErrorKind(error)).toBe('transient');
  });

  it('calls fetch failures transient through their cause', async () => {
    const error = await fetch(`http://127.0.0.1:${await closedPort()}/`).catch((e: unknown) => e);
    expect(registryErrorKind(error)).toBe('transient');
  });

  it.each([
    [{ name: 'ResponseError', status: 404, message: 'Schema 9 not found' }, 'unknown_schema'],
    [{ name: 'ResponseError', status: 503, message: 'unavailable' }, 'transient'],
    [{ name: 'ResponseError', status: 500, message: 'oops' }, 'transient'],
    [{ name: 'ResponseError', status: 429, message: 'slow down' }, 'transient'],
    [{ name: 'ResponseError', status: 401, message: 'unauthorized' }, 'bug'],
    [{ name: 'ResponseError', status: 422, message: 'invalid schema' }, 'bug'],
    [new TypeError('x is not a function'), 'bug'],
  ])('calls %j %s', (error, kind) => {
    expect(registryErrorKind(error)).toBe(kind);
  });
});
