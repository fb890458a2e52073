// Serves a worker's Prometheus metrics and its health: GET /metrics (the text format; prom-client's
// JSON of the same registry when the request accepts application/json, which the web dashboard
// reads: lib/web/metric-samples.ts), GET /healthz (200 while the loop makes progress, "degraded" while a
// dependency is being retried, 503 when it has stalled), GET /stats (the live figures as JSON, for the web dashboard).
// Listens on `host` (METRICS_HOST: loopback unless a deployment opens it) and answers only
// requests naming a Host it serves (localhost, IP addresses, ALLOWED_HOSTS): no DNS rebinding.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { hostAllowed } from '../lib/web/request-guards.ts';

export interface MetricsServerOptions {
  port: number;
  /** Address to listen on; default loopback. */
  host?: string;
  /** Host names answered besides localhost and IP addresses (ALLOWED_HOSTS). */
  allowedHosts?: string[];
  registry: Registry;
  /** Null when healthy, else why not. */
  health: () => string | null;
  /** Dependencies being retried (DependencyHealth): /healthz says "degraded" and lists them. */
  degraded?: () => unknown[];
  stats: () => unknown;
  /** Retained clicks of a key, or undefined when this worker does not hold its partition. */
  retainedClicks: (
    userId: number,
    productId: string,
  ) => { clickId: string; time: number }[] | undefined;
}

export async function startMetricsServer(
  o: MetricsServerOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!hostAllowed(req.headers.host, o.allowedHosts ?? [])) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('unknown host name\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end('method not allowed\n');
      return;
    }
    if (url.startsWith('/metrics')) {
      const json = (req.headers.accept ?? '').includes('application/json');
      (json ? o.registry.getMetricsAsJSON().then((m) => JSON.stringify(m)) : o.registry.metrics())
        .then((body) =>
          res
            .writeHead(200, {
              'content-type': json ? 'application/json' : o.registry.contentType,
            })
            .end(body),
        )
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    } else if (url.startsWith('/healthz')) {
      const problem = o.health();
      const degraded = o.degraded?.() ?? [];
      res.writeHead(problem ? 503 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          problem
            ? { status: 'stalled', reason: problem, degraded }
            : degraded.length > 0
              ? { status: 'degraded', degraded }
              : { status: 'ok' },
        ),
      );
    } else if (url.startsWith('/clicks')) {
      const params = new URL(url, 'http://worker').searchParams;
      const userId = Number(params.get('userId'));
      const productId = params.get('productId');
      if (!Number.isSafeInteger(userId) || !productId) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'userId (integer) and productId are required' }));
        return;
      }
      const clicks = o.retainedClicks(userId, productId);
      res.writeHead(clicks ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          clicks ? { userId, productId, clicks } : { error: 'partition not held by this worker' },
        ),
      );
    } else if (url.startsWith('/stats')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o.stats()));
    } else {
      res.writeHead(404).end('not found: try /metrics, /healthz, /stats or /clicks\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
