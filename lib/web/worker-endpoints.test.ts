// The web side of the worker endpoints, against small HTTP servers that answer as workers do
// (a holder, a non-holder, an old worker without /clicks) and a port nobody listens on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchRetainedClicks,
  scrapeWorker,
  workerEndpoint,
  workerMetricsUrls,
} from './worker-endpoints.ts';

type Handler = (url: URL, res: http.ServerResponse, req: http.IncomingMessage) => void;
const servers: http.Server[] = [];

async function fakeWorker(handler: Handler): Promise<string> {
  const server = http.createServer((req, res) =>
    handler(new URL(req.url ?? '/', 'http://x'), res, req),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

let holder: string;
let nonHolder: string;
let oldWorker: string;
let closedPort: string;

/** A registry as a worker's: two samples. */
function workerRegistry(): Registry {
  const registry = new Registry();
  new Counter({
    name: 'clickstream_events_consumed_total',
    help: 'Source events consumed',
    labelNames: ['topic'],
    registers: [registry],
  }).inc({ topic: 'clicks' }, 5);
  new Gauge({ name: 'clickstream_state_keys', help: 'Keys', registers: [registry] }).set(2);
  return registry;
}

beforeAll(async () => {
  const registry = workerRegistry();
  holder = await fakeWorker((url, res, req) => {
    if (url.pathname === '/metrics') {
      // As workers/metrics-server.ts answers: prom-client's JSON to whoever accepts it.
      expect(req.headers.accept).toBe('application/json');
      void registry.getMetricsAsJSON().then((metrics) => json(res, 200, metrics));
    } else if (url.pathname === '/stats') {
      json(res, 200, {
        partitions: [
          {
            partition: 1,
            watermark: 1000,
            keys: 2,
            clicks: 3,
            stateBytes: 10,
            pendingCheckouts: 0,
            nextOffsets: { a: '1' },
          },
        ],
        lastProgressAt: 5,
      });
    } else if (url.pathname === '/clicks') {
      expect(url.searchParams.get('userId')).toBe('7');
      expect(url.searchParams.get('productId')).toBe('p 1');
      json(res, 200, {
        userId: 7,
        productId: 'p 1',
        clicks: [
          { clickId: 'k2', time: 20 },
          { clickId: 'k1', time: 10 },
        ],
      });
    }
  });
  nonHolder = await fakeWorker((url, res) => {
    if (url.pathname === '/clicks') json(res, 404, { error: 'partition not held by this worker' });
    else res.writeHead(500).end('boom');
  });
  oldWorker = await fakeWorker((_url, res) => res.writeHead(404).end('not found\n'));
  const spare = await fakeWorker(() => undefined);
  await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
  closedPort = spare;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('worker URLs', () => {
  it('splits WORKER_METRICS_URL and derives sibling endpoints', () => {
    expect(workerMetricsUrls(' http://a:1/metrics, ,http://b:2/metrics ')).toEqual([
      'http://a:1/metrics',
      'http://b:2/metrics',
    ]);
    expect(workerEndpoint('http://a:1/metrics', '/clicks', { userId: '1', productId: 'x&y' })).toBe(
      'http://a:1/clicks?userId=1&productId=x%26y',
    );
  });
});

describe('scrapeWorker', () => {
  it('reads metrics and stats of a live worker', async () => {
    const scrape = await scrapeWorker(holder);
    expect(scrape.up).toBe(true);
    expect(scrape.samples).toEqual([
      { name: 'clickstream_events_consumed_total', labels: { topic: 'clicks' }, value: 5 },
      { name: 'clickstream_state_keys', labels: {}, value: 2 },
    ]);
    expect(scrape.stats?.partitions[0]).toMatchObject({ partition: 1, keys: 2, clicks: 3 });
  });

  it('reports a worker that is down, or broken, with the reason', async () => {
    const down = await scrapeWorker(closedPort);
    expect(down).toMatchObject({ up: false, error: 'connection refused (is the worker running?)' });
    const broken = await scrapeWorker(nonHolder);
    expect(broken).toMatchObject({ up: false, error: '/metrics answered HTTP 500' });
  });
});

describe('fetchRetainedClicks', () => {
  it('takes the clicks of the worker holding the partition; others saying "not mine" is fine', async () => {
    const result = await fetchRetainedClicks([nonHolder, holder, closedPort], '7', 'p 1');
    expect(result).toEqual({
      status: 'ok',
      clicks: [
        { clickId: 'k2', time: 20 },
        { clickId: 'k1', time: 10 },
      ],
      workersAsked: 3,
    });
  });

  it('says why when nobody can answer', async () => {
    expect(await fetchRetainedClicks([], '7', 'p')).toMatchObject({ status: 'unavailable' });
    const old = await fetchRetainedClicks([oldWorker], '7', 'p');
    expect(old).toEqual({ status: 'unavailable', reason: 'the worker has no /clicks endpoint' });
    const notHeld = await fetchRetainedClicks([nonHolder], '7', 'p');
    expect(notHeld.status === 'unavailable' && notHeld.reason).toContain('no worker holds');
    const down = await fetchRetainedClicks([closedPort], '7', 'p');
    expect(down.status === 'unavailable' && down.reason).toContain('connection refused');
  });
});
