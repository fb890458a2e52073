// The registry edge against the real schema registry (SCHEMA_REGISTRY_URL, started by
// `npm run stack:up`): registration on start (first version only, compatibility set,
// idempotent), the decoder's writer schemas by id (404 → unknown_schema), and the compatibility
// mode refusing click v3.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { frameAvro } from '../domain/avro-frame.ts';
import { toCheckoutV1Record, toClickV1Record, toClickV2Record } from '../domain/avro-records.ts';
import { avroType } from '../domain/avro-types.ts';
import type { Checkout, Click } from '../domain/events.ts';
import {
  CHECKOUT_V1_SCHEMA,
  CLICK_V1_SCHEMA,
  CLICK_V2_SCHEMA,
  CLICK_V3_INCOMPATIBLE_SCHEMA,
} from '../domain/wire-records.generated.ts';
import { createMessageDecoder } from './message-decoder.ts';
import {
  RegistryHttpError,
  registerWireSchemas,
  registryRequest,
  subjectVersions,
  valueSubject,
} from './registration.ts';
import { createSchemaRegistry } from './schema-registry.ts';

const url = (() => {
  const value = loadConfig().SCHEMA_REGISTRY_URL;
  if (!value) throw new Error('SCHEMA_REGISTRY_URL is not set: run `npm run stack:up` first');
  return value;
})();

const READ = { now: Date.UTC(2026, 10, 1), maxFutureSkewMs: 60_000 };
const click: Click = {
  clickId: 'c-1',
  userId: 7,
  productId: 'p-1',
  product: 'Lamp',
  price: 19.99,
  url: 'https://shop.example/p-1',
  userAgent: 'Mozilla/5.0',
  ipAddress: '10.0.0.1',
  time: Date.UTC(2026, 2, 1),
};
const checkout: Checkout = {
  checkoutId: 'k-1',
  userId: 2 ** 40,
  productId: 'p-1',
  paymentMethod: 'card',
  totalAmount: '123456789012345678901234567890.25',
  shippingAddress: 's',
  billingAddress: 'b',
  userAgent: 'ua',
  ipAddress: 'ip',
  time: Date.UTC(2026, 2, 1),
};

/** Topics of a test's own (subjects are named after them). */
const topicsOf = () => {
  const id = randomBytes(4).toString('hex');
  return { clicks: `clicks-${id}`, checkouts: `checkouts-${id}` };
};

const config = (subject: string) =>
  registryRequest<{ compatibilityLevel?: string; compatibility?: string }>(
    url,
    'GET',
    `/config/${encodeURIComponent(subject)}`,
  );

const register = (subject: string, schema: string) =>
  registryRequest<{ id: number }>(
    url,
    'POST',
    `/subjects/${encodeURIComponent(subject)}/versions`,
    {
      schema,
    },
  );

describe('registration on worker start', () => {
  it('registers click v1 and checkout v1 once, with the compatibility mode', async () => {
    const topics = topicsOf();
    const first = await registerWireSchemas(url, { topics, compatibility: 'FULL_TRANSITIVE' });
    expect(first.map((s) => s.subject)).toEqual([
      valueSubject(topics.clicks),
      valueSubject(topics.checkouts),
    ]);
    expect(first.every((s) => typeof s.registeredId === 'number')).toBe(true);
    for (const s of first) {
      const c = await config(s.subject);
      expect(c.compatibilityLevel ?? c.compatibility).toBe('FULL_TRANSITIVE');
      expect(await subjectVersions(url, s.subject)).toHaveLength(1);
    }
    const again = await registerWireSchemas(url, { topics, compatibility: 'FULL_TRANSITIVE' });
    expect(again.map((s) => s.registeredId)).toEqual([undefined, undefined]);
    expect(await subjectVersions(url, valueSubject(topics.clicks))).toHaveLength(1);
  });

  it('leaves a subject with later versions as it is, and sets its compatibility', async () => {
    const topics = topicsOf();
    const subject = valueSubject(topics.clicks);
    await register(subject, CLICK_V2_SCHEMA);
    const result = await registerWireSchemas(url, { topics, compatibility: 'FORWARD' });
    expect(result[0]!.registeredId).toBeUndefined();
    expect(await subjectVersions(url, subject)).toHaveLength(1);
    const latest = await registryRequest<{ schema: string }>(
      url,
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    expect(JSON.parse(latest.schema)).toMatchObject({
      fields: expect.arrayContaining([expect.objectContaining({ name: 'session_id' })]),
    });
    const c = await config(subject);
    expect(c.compatibilityLevel ?? c.compatibility).toBe('FORWARD');
  });

  it('lets v2 (optional session_id) in and refuses v3 (required product removed) under FULL_TRANSITIVE', async () => {
    const topics = topicsOf();
    await registerWireSchemas(url, { topics, compatibility: 'FULL_TRANSITIVE' });
    const subject = valueSubject(topics.clicks);
    expect((await register(subject, CLICK_V2_SCHEMA)).id).toBeGreaterThan(0);
    const refused = await register(subject, CLICK_V3_INCOMPATIBLE_SCHEMA).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryHttpError);
    expect((refused as RegistryHttpError).status).toBe(409);
  });
});

describe('message decoder on the real registry', () => {
  it('reads Avro of registered schemas, JSON beside it, and dead-letters unknown ids', async () => {
    const topics = topicsOf();
    const [clicks, checkouts] = await registerWireSchemas(url, {
      topics,
      compatibility: 'FULL_TRANSITIVE',
    });
    const v2 = await register(valueSubject(topics.clicks), CLICK_V2_SCHEMA);
    const clickV1 = frameAvro(
      clicks!.registeredId!,
      avroType(CLICK_V1_SCHEMA).toBuffer(toClickV1Record(click)),
    );
    const clickV2 = frameAvro(
      v2.id,
      avroType(CLICK_V2_SCHEMA).toBuffer(toClickV2Record({ ...click, sessionId: 's-1' })),
    );
    const checkoutV1 = frameAvro(
      checkouts!.registeredId!,
      avroType(CHECKOUT_V1_SCHEMA).toBuffer(toCheckoutV1Record(checkout)),
    );
    const unknown = frameAvro(2_000_000_001, Buffer.from([0]));

    const decoder = createMessageDecoder(createSchemaRegistry(url));
    await decoder.prepare([clickV1, clickV2, checkoutV1, unknown, null, Buffer.from('{}')]);
    expect(decoder.parseClick(clickV1, READ)).toEqual({
      ok: true,
      event: { ...click, sessionId: undefined },
    });
    expect(decoder.parseClick(clickV2, READ)).toEqual({
      ok: true,
      event: { ...click, sessionId: 's-1' },
    });
    expect(decoder.parseCheckout(checkoutV1, READ)).toEqual({ ok: true, event: checkout });
    expect(decoder.parseClick(unknown, READ)).toEqual({
      ok: false,
      kind: 'unknown_schema',
      reason: 'unknown_schema: schema id 2000000001 is not in the registry',
    });
    expect(decoder.encodingOf(clickV2)).toEqual({ encoding: 'avro', schemaId: v2.id });
  });

  it('reads a click through its writer schema whichever subject it is under', async () => {
    // The decoder goes by id only: a checkout schema id on the clicks topic is read as a
    // click writer, and lacks click_id.
    const topics = topicsOf();
    const [, checkouts] = await registerWireSchemas(url, {
      topics,
      compatibility: 'FULL_TRANSITIVE',
    });
    const framed = frameAvro(
      checkouts!.registeredId!,
      avroType(CHECKOUT_V1_SCHEMA).toBuffer(toCheckoutV1Record(checkout)),
    );
    const decoder = createMessageDecoder(createSchemaRegistry(url));
    await decoder.prepare([framed]);
    expect(decoder.parseClick(framed, READ)).toEqual({
      ok: false,
      kind: 'missing_field',
      reason: 'missing_field: click_id',
    });
  });

  it('waits while the registry is unreachable and reports each attempt, then gives up on abort', async () => {
    const reports: string[] = [];
    const decoder = createMessageDecoder(createSchemaRegistry('http://127.0.0.1:9/apis'), {
      onTransient: (description) => reports.push(description),
      minTimeoutMs: 20,
      maxTimeoutMs: 50,
    });
    const framed = frameAvro(5, Buffer.from([0]));
    const signal = AbortSignal.timeout(600);
    await expect(decoder.prepare([framed], signal)).rejects.toBeDefined();
    expect(reports.length).toBeGreaterThan(2);
    expect(reports[0]).toMatch(/^schema 5: .*ECONNREFUSED/);
  });
});
