// The attribution routes refuse bad input with a 400 and a message naming what is wrong, before
// they authenticate or touch the database (no runtime is configured here: reaching either would
// throw, not answer 400).
import { describe, expect, it } from 'vitest';
import { GET as channelsGET } from '../pipeline/channels/route.ts';
import { GET as checkoutCreditsGET } from './checkouts/[checkoutId]/route.ts';
import { GET as reportGET } from './route.ts';

async function errorOf(response: Response): Promise<{ status: number; error: string }> {
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error };
}

describe('GET /api/attribution', () => {
  it.each([
    ['from=last-week', 'from: a day is written YYYY-MM-DD'],
    ['to=2026-02-30', 'to: not a calendar day'],
    ['from=2026-11-30&to=2026-11-01', 'from must not be after to'],
    ['model=linear', 'Unrecognized key'],
  ])('?%s is a 400 saying why', async (query, message) => {
    const answer = await errorOf(
      await reportGET(new Request(`http://localhost/api/attribution?${query}`)),
    );
    expect(answer.status).toBe(400);
    expect(answer.error).toContain('Bad query');
    expect(answer.error).toContain(message);
  });
});

describe('GET /api/attribution/checkouts/:checkoutId', () => {
  it.each([
    ['', 'Too small'],
    ['x'.repeat(201), 'Too big'],
  ])('checkout id %j is a 400 saying why', async (checkoutId, message) => {
    const answer = await errorOf(
      await checkoutCreditsGET(new Request('http://localhost/api/attribution/checkouts/x'), {
        params: Promise.resolve({ checkoutId }),
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(/^Bad checkout id: /);
    expect(answer.error.toLowerCase()).toContain(message.toLowerCase());
  });
});

describe('GET /api/pipeline/channels', () => {
  it('takes no parameters, and a 400 names the ones given', async () => {
    const answer = await errorOf(
      await channelsGET(new Request('http://localhost/api/pipeline/channels?window=24h&x=1')),
    );
    expect(answer.status).toBe(400);
    expect(answer.error).toContain('window, x');
  });
});
