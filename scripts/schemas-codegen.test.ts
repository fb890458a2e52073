import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVRO_CHECKOUT_FIELDS, AVRO_CLICK_FIELDS } from '../lib/domain/avro-events.ts';
import { checkoutWireSchema, clickWireSchema } from '../lib/domain/events.ts';
import { GENERATED_FILE, SCHEMAS_DIR, generate } from './schemas-codegen.ts';

const fieldsOf = (file: string) =>
  (
    JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as {
      fields: { name: string }[];
    }
  ).fields.map((f) => f.name);

describe('schemas and their generated types', () => {
  it('lib/domain/wire-records.generated.ts is what `npm run schemas:generate` writes', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await generate());
  });

  it('hold the spec wire fields in spec order, as the JSON gate and the Avro gate read them', () => {
    const click = Object.keys(clickWireSchema.shape);
    const checkout = Object.keys(checkoutWireSchema.shape);
    expect(fieldsOf('click.v1.avsc')).toEqual(click);
    expect(fieldsOf('click.v2.avsc')).toEqual([...click, 'session_id']);
    expect(fieldsOf('checkout.v1.avsc')).toEqual(checkout);
    expect(AVRO_CLICK_FIELDS).toEqual(click);
    expect(AVRO_CHECKOUT_FIELDS).toEqual(checkout);
  });

  it('v3 is v2 without the required product (kept to show the registry refusing it)', () => {
    expect(fieldsOf('click.v3-incompatible.avsc')).toEqual(
      fieldsOf('click.v2.avsc').filter((f) => f !== 'product'),
    );
  });
});
