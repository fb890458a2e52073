// Route handlers answered without Next (server.ts's direct reads): which requests go there, and
// that the client gets what the handler answered, over a real socket, with the gateway's headers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerDirectly, directHandlerFor, pathOf, type RouteHandler } from './direct-route.ts';

describe('directHandlerFor', () => {
  const pipeline: RouteHandler = () => Promise.resolve(new Response('pipeline'));
  const routes = new Map([['/api/pipeline', pipeline]]);

  it.each([
    ['GET', '/api/pipeline', pipeline],
    ['GET', '/api/pipeline?x=1', pipeline],
    ['HEAD', '/api/pipeline', undefined],
    ['POST', '/api/pipeline', undefined],
    ['GET', '/api/pipeline/', undefined],
    ['GET', '/api/pipeline/channels', undefined],
    ['GET', '/api/%70ipeline', undefined],
    [undefined, '/api/pipeline', undefined],
  ])('%s %s', (method, target, expected) => {
    expect(directHandlerFor(routes, method, target)).toBe(expected);
  });

  it('takes the path without its query', () => {
    expect(pathOf('/api/checkouts?limit=5&sort=asc')).toBe('/api/checkouts');
    expect(pathOf(undefined)).toBe('/');
  });
});

describe('answerDirectly', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function serve(handler: RouteHandler): Promise<string> {
    server = createServer((req, res) => {
      // What the gateway sets before a request goes on.
      res.setHeader('x-request-id', 'req-1');
      answerDirectly(req, res, handler).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("hands the handler the request's URL and headers, and the client the handler's answer", async () => {
    const seen: { url: string; auth: string | null; cookie: string | null }[] = [];
    const base = await serve((request) => {
      seen.push({
        url: request.url,
        auth: request.headers.get('authorization'),
        cookie: request.headers.get('cookie'),
      });
      const headers = new Headers({ 'cache-control': 'no-store', 'www-authenticate': 'Bearer' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/');
      return Promise.resolve(Response.json({ error: 'Sign in first' }, { status: 401, headers }));
    });
    const response = await fetch(`${base}/api/checkouts?limit=5`, {
      headers: { authorization: 'Bearer t', cookie: 'x=1' },
    });
    expect(seen).toEqual([
      { url: `${base}/api/checkouts?limit=5`, auth: 'Bearer t', cookie: 'x=1' },
    ]);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const text = await response.text();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({ error: 'Sign in first' });
  });

  it('sends a body of any size whole, uncompressed even when the client accepts gzip', async () => {
    const big = { rows: Array.from({ length: 5_000 }, (_, i) => ({ id: `row-${i}`, n: i })) };
    const base = await serve(() => Promise.resolve(Response.json(big)));
    const response = await fetch(`${base}/api/pipeline`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual(big);
  });
});
