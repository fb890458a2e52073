// The API helpers' answers to trouble: a server-side failure is logged in full and answered with
// a request id only; bodies over the limit are a 413 without being read to the end.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../log.ts';
import { isAlwaysOpen } from './gateway.ts';
import { MAX_JSON_BODY_BYTES, parseJsonBody, serverError } from './http.ts';

describe('serverError', () => {
  it('logs the database error with the request id and answers neither', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = createLogger({
      level: 'info',
      destination: { write: (line) => logged.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const request = new Request('http://localhost/api/checkouts?before=x', {
      headers: { 'x-request-id': 'req-123' },
    });
    const response = serverError(
      request,
      'Cannot read checkouts',
      Object.assign(
        new Error('relation "commerce.attributed_checkouts" does not exist at /srv/app'),
        {
          code: '42P01',
        },
      ),
      502,
      log,
    );
    expect(response.status).toBe(502);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    const body = JSON.stringify(await response.json());
    expect(body).toContain('req-123');
    expect(body).not.toMatch(/relation|commerce|\/srv/);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'Cannot read checkouts',
        requestId: 'req-123',
        method: 'GET',
        path: '/api/checkouts',
        err: expect.objectContaining({
          kind: 'bug',
          message: 'relation "commerce.attributed_checkouts" does not exist at /srv/app (42P01)',
        }),
      }),
    ]);
  });
});

/** A JSON POST whose body arrives as `body` streams it, without a declared length. */
const streamedJsonPost = (body: ReadableStream<Uint8Array>) =>
  new Request('http://localhost/api/x', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    duplex: 'half',
  } as RequestInit);

describe('parseJsonBody', () => {
  it('answers 413 for a body over the limit, even one that does not say its length', async () => {
    const big = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const request = streamedJsonPost(big);
    const parsed = await parseJsonBody(request, z.object({}));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.response.status).toBe(413);
    const small = new Request('http://localhost/api/x', {
      method: 'POST',
      body: JSON.stringify({ a: 'x'.repeat(MAX_JSON_BODY_BYTES - 100) }),
      headers: { 'content-type': 'application/json' },
    });
    expect((await parseJsonBody(small, z.object({ a: z.string() }))).ok).toBe(true);
  });

  it('answers 400 when the client goes away mid-body, instead of throwing', async () => {
    let sent = false;
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent)
          return controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"a":'));
      },
    });
    const request = streamedJsonPost(cut);
    const parsed = await parseJsonBody(request, z.object({}));
    expect(!parsed.ok && parsed.response.status).toBe(400);
    expect(!parsed.ok && (await parsed.response.json())).toEqual({
      error: 'The request body was cut short.',
    });
  });
});

describe('isAlwaysOpen', () => {
  it.each([
    ['/signin', true],
    ['/api/auth/login', true],
    ['/api/auth/session', true],
    ['/api/health', true],
    ['/_next/static/chunks/a.js', true],
    ['/', false],
    ['/api/auth/sessions', false],
    ['/api/pipeline', false],
    ['/checkouts/x', false],
    ['/dbt-docs', false],
  ])('%s → %s', (path, open) => {
    expect(isAlwaysOpen(path)).toBe(open);
  });
});
