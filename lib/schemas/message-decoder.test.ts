import { describe, expect, it } from 'vitest';
import { frameAvro } from '../domain/avro-frame.ts';
import { toClickV2Record } from '../domain/avro-records.ts';
import { avroType } from '../domain/avro-types.ts';
import { parseCheckout, parseClick, stringifyClick, type Click } from '../domain/events.ts';
import { CLICK_V2_SCHEMA } from '../domain/wire-records.generated.ts';
import { createMessageDecoder } from './message-decoder.ts';

// The decoder with a registry is tested against the real one (message-decoder.integration.test.ts).

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
const avroClick = frameAvro(1, avroType(CLICK_V2_SCHEMA).toBuffer(toClickV2Record(click)));

describe('message decoder without a registry', () => {
  const decoder = createMessageDecoder(undefined);

  it('reads JSON exactly as the JSON gate does, tombstones and garbage included', async () => {
    const values = [Buffer.from(stringifyClick(click)), null, Buffer.from('nope'), Buffer.alloc(0)];
    await decoder.prepare(values);
    for (const v of values) {
      expect(decoder.parseClick(v, READ)).toEqual(parseClick(v, READ));
      expect(decoder.parseCheckout(v, READ)).toEqual(parseCheckout(v, READ));
      expect(decoder.encodingOf(v)).toEqual({ encoding: 'json' });
    }
  });

  it('dead-letters an Avro-framed value as unknown_schema: no registry configured', async () => {
    await decoder.prepare([avroClick]);
    expect(decoder.parseClick(avroClick, READ)).toEqual({
      ok: false,
      kind: 'unknown_schema',
      reason: 'unknown_schema: no schema registry configured',
    });
    expect(decoder.parseCheckout(avroClick, READ)).toMatchObject({ kind: 'unknown_schema' });
    expect(decoder.encodingOf(avroClick)).toEqual({ encoding: 'avro', schemaId: 1 });
  });

  it('dead-letters magic byte 0 without room for a schema id as invalid_frame', () => {
    const short = Buffer.from([0, 0, 1]);
    expect(decoder.parseClick(short, READ)).toEqual({
      ok: false,
      kind: 'invalid_frame',
      reason:
        'invalid_frame: 3 byte(s) starting with magic byte 0; a Confluent frame needs 5 (magic byte and schema id) before the Avro body',
    });
    expect(decoder.encodingOf(short)).toEqual({ encoding: 'avro', schemaId: null });
  });
});
