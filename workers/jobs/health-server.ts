// The jobs worker's GET /healthz: who it is (the identity it writes to claimed_by), whether it
// leads the schedule and which runs it holds. Listens on METRICS_HOST:JOBS_PORT and answers only
// a Host it serves (localhost, IP addresses, ALLOWED_HOSTS), as the speed workers' endpoint does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostAllowed } from '../../lib/web/request-guards.ts';

export interface HealthServerOptions {
  port: number;
  host?: string;
  allowedHosts?: string[];
  status: () => { stopping: boolean } & Record<string, unknown>;
}

export async function startHealthServer(
  o: HealthServerOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (!hostAllowed(req.headers.host, o.allowedHosts ?? [])) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('unknown host name\n');
      return;
    }
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const status = o.status();
    res
      .writeHead(status.stopping ? 503 : 200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: status.stopping ? 'stopping' : 'ok', ...status }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
