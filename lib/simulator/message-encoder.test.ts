import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.ts';
import { readFrame } from '../domain/avro-frame.ts';
import { avroCheckoutReader, avroClickReader } from '../domain/avro-events.ts';
import { avroType } from '../domain/avro-types.ts';
import { parseCheckout, parseClick } from '../domain/events.ts';
import { avroEncoder, jsonEncoder, jsonV2Encoder } from './message-encoder.ts';
import { StreamGenerator, defaultGeneratorSettings } from './stream-generator.ts';

const schemaText = (name: string) =>
  readFileSync(path.join(projectRoot, 'schemas', `${name}.avsc`), 'utf8');
const typeOf = (name: string) => avro.Type.forSchema(JSON.parse(schemaText(name)) as avro.Schema);

function stream() {
  const generator = new StreamGenerator(
    { ...defaultGeneratorSettings, checkoutProbability: 1, clickToCheckoutMs: { min: 0, max: 1 } },
    42,
  );
  const start = Date.UTC(2026, 0, 1);
  return [...generator.emit(start, 20), ...generator.emit(start + 1_000, 20)];
}

/** The frame's schema id and its Avro body read with `type`. */
function unframe(value: string | Buffer, type: avro.Type) {
  if (typeof value === 'string') throw new Error('expected a framed Avro value');
  expect(value[0]).toBe(0);
  return {
    id: value.readUInt32BE(1),
    record: type.fromBuffer(value.subarray(5)) as Record<string, unknown>,
  };
}

describe('simulator message encoder', () => {
  it('JSON is the generated value itself; JSON v2 adds the session to clicks only', () => {
    const messages = stream();
    const click = messages.find((m) => m.topic === 'clicks')!;
    const checkout = messages.find((m) => m.topic === 'checkouts')!;
    expect(jsonEncoder(click)).toBe(click.value);
    expect(JSON.parse(jsonV2Encoder(click) as string)).toEqual({
      ...(JSON.parse(click.value) as object),
      session_id: click.sessionId,
    });
    expect(jsonV2Encoder(checkout)).toBe(checkout.value);
  });

  it('writes v2 clicks with their session, and checkouts with the exact amount', () => {
    const encode = avroEncoder({
      click: { id: 7, schema: schemaText('click.v2') },
      checkout: { id: 9, schema: schemaText('checkout.v1') },
    });
    const messages = stream();
    const clicks = messages.filter((m) => m.topic === 'clicks');
    const checkouts = messages.filter((m) => m.topic === 'checkouts');
    expect(clicks.length).toBeGreaterThan(0);
    expect(checkouts.length).toBeGreaterThan(0);
    for (const m of clicks) {
      const { id, record } = unframe(encode(m), typeOf('click.v2'));
      const json = JSON.parse(m.value) as Record<string, unknown>;
      expect(id).toBe(7);
      expect(record).toEqual({
        ...json,
        datetime_occured: m.eventTime,
        session_id: m.sessionId,
      });
      expect(m.sessionId).toMatch(/^ses-/);
    }
    for (const m of checkouts) {
      const { id, record } = unframe(encode(m), typeOf('checkout.v1'));
      const json = JSON.parse(m.value) as { total_amount: number };
      expect(id).toBe(9);
      const amount = record.total_amount as Buffer;
      expect(Number(BigInt.asIntN(amount.length * 8, BigInt(`0x${amount.toString('hex')}`)))).toBe(
        Math.round(json.total_amount * 100),
      );
    }
  });

  it('what it writes, the Avro gate reads as the same events as their JSON', () => {
    const encode = avroEncoder({
      click: { id: 7, schema: schemaText('click.v2') },
      checkout: { id: 9, schema: schemaText('checkout.v1') },
    });
    const clicks = avroClickReader(7, avroType(schemaText('click.v2')));
    const checkouts = avroCheckoutReader(9, avroType(schemaText('checkout.v1')));
    const read = { now: Date.UTC(2026, 0, 2), maxFutureSkewMs: 60_000 };
    for (const m of stream()) {
      const frame = readFrame(encode(m) as Buffer);
      if (frame.encoding !== 'avro' || frame.schemaId === null) throw new Error('not a frame');
      if (m.topic === 'clicks') {
        const json = parseClick(m.value, read);
        expect(clicks.read(frame.body, read)).toEqual(
          json.ok ? { ok: true, event: { ...json.event, sessionId: m.sessionId } } : json,
        );
      } else {
        expect(checkouts.read(frame.body, read)).toEqual(parseCheckout(m.value, read));
      }
    }
  });

  it('writes v1 clicks without a session, readable by v2 readers as null', () => {
    const encode = avroEncoder({
      click: { id: 3, schema: schemaText('click.v1') },
      checkout: { id: 4, schema: schemaText('checkout.v1') },
    });
    const m = stream().find((x) => x.topic === 'clicks')!;
    const value = encode(m);
    expect(unframe(value, typeOf('click.v1')).record).not.toHaveProperty('session_id');
    const v2 = typeOf('click.v2');
    const resolver = v2.createResolver(typeOf('click.v1'));
    const asV2 = v2.fromBuffer((value as Buffer).subarray(5), resolver) as { session_id: unknown };
    expect(asV2.session_id).toBeNull();
  });

  it('keeps a user’s clicks within 30 minutes in one session, and a later click in a new one', () => {
    const generator = new StreamGenerator(
      { ...defaultGeneratorSettings, users: 1, outOfOrderShare: 0, duplicateShare: 0 },
      5,
    );
    const at = Date.UTC(2026, 0, 1);
    const first = generator.emit(at, 1)[0]!;
    const near = generator.emit(at + 29 * 60_000, 1)[0]!;
    const later = generator.emit(at + 29 * 60_000 + 30 * 60_000 + 1, 1)[0]!;
    expect(near.sessionId).toBe(first.sessionId);
    expect(later.sessionId).not.toBe(first.sessionId);
  });

  it('leaves a malformed message as written', () => {
    const generator = new StreamGenerator({ ...defaultGeneratorSettings, malformedShare: 0.5 }, 3);
    const malformed = generator.emit(Date.UTC(2026, 0, 1), 40).find((m) => m.kind === 'malformed')!;
    const encode = avroEncoder({
      click: { id: 1, schema: schemaText('click.v2') },
      checkout: { id: 2, schema: schemaText('checkout.v1') },
    });
    expect(encode(malformed)).toBe(malformed.value);
  });
});
