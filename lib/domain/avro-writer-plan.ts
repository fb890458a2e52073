// Which writer schemas the Avro gate reads, and how (docs/schemas.md, "Which writer schemas we
// read"): a plan per writer schema, made once per schema id, saying for each of our fields where
// the writer holds it and as what, or why the writer cannot be read (`invalid_avro` naming the
// field). Pure.
import avro from 'avsc';
import { fail, shorten, type Failure } from './event-checks.ts';
import type { CheckoutV1Record, ClickV2Record } from './wire-records.generated.ts';

/** How a writer field's values are read as our field's. */
export type Shape = 'text' | 'integer' | 'number' | 'decimal' | 'millis';

export interface FieldPlan {
  name: string;
  /** What our field needs (undefined: the writer lacks the field). */
  shape: Shape | undefined;
  nullable: boolean;
}

/** What each of our fields accepts from a writer, by avsc type name (BIGINT_LONG: abstract:long). */
const ACCEPTS: Record<Shape, readonly string[]> = {
  text: ['string'],
  integer: ['long', 'abstract:long', 'int'],
  number: ['double', 'float', 'int', 'long', 'abstract:long'],
  decimal: ['logical:decimal'],
  millis: ['logical:timestamp-millis', 'string'],
};

const EXPECTING: Record<Shape, string> = {
  text: 'string',
  integer: 'long (or int)',
  number: 'double (or float, int, long)',
  decimal: 'a decimal (bytes or fixed)',
  millis: 'long timestamp-millis (or a timestamp string)',
};

/** Our fields in spec order (events.ts's zod shapes), with what each needs. */
export const CLICK_FIELDS: readonly [keyof ClickV2Record, Shape][] = [
  ['click_id', 'text'],
  ['user_id', 'integer'],
  ['product_id', 'text'],
  ['product', 'text'],
  ['price', 'number'],
  ['url', 'text'],
  ['user_agent', 'text'],
  ['ip_address', 'text'],
  ['datetime_occured', 'millis'],
];

export const CHECKOUT_FIELDS: readonly [keyof CheckoutV1Record, Shape][] = [
  ['checkout_id', 'text'],
  ['user_id', 'integer'],
  ['product_id', 'text'],
  ['payment_method', 'text'],
  ['total_amount', 'decimal'],
  ['shipping_address', 'text'],
  ['billing_address', 'text'],
  ['user_agent', 'text'],
  ['ip_address', 'text'],
  ['datetime_occured', 'millis'],
];

/** The field names in spec order, for the test that holds them to the .avsc files and zod. */
export const AVRO_CLICK_FIELDS = CLICK_FIELDS.map(([name]) => name);
export const AVRO_CHECKOUT_FIELDS = CHECKOUT_FIELDS.map(([name]) => name);

export interface RecordLike {
  typeName: string;
  fields: { name: string; type: avro.Type }[];
}

const isAvroType = (value: unknown): value is avro.Type => avro.Type.isType(value);

/** A type as a reason quotes it: its schema, short. */
function typeText(type: avro.Type): string {
  return shorten(JSON.stringify(type.schema({ exportAttrs: true })));
}

/** The branches of an unwrapped union, or the type alone. */
function branchesOf(type: avro.Type): avro.Type[] {
  if (type.typeName !== 'union:unwrapped') return [type];
  return (type as unknown as { types: avro.Type[] }).types;
}

/** Plans one field, or the reason the writer's type cannot be read as it. */
export function planField(
  schemaId: number,
  writer: RecordLike,
  name: string,
  shape: Shape,
): FieldPlan | Failure {
  const field = writer.fields.find((f) => f.name === name);
  if (!field) return { name, shape: undefined, nullable: false };
  const branches = branchesOf(field.type);
  const nonNull = branches.filter((t) => t.typeName !== 'null');
  const nullable = nonNull.length < branches.length;
  const only = nonNull.length === 1 ? nonNull[0]! : undefined;
  if (only && ACCEPTS[shape].includes(only.typeName)) return { name, shape, nullable };
  return fail(
    'invalid_avro',
    `writer schema ${schemaId}: ${name} is ${typeText(field.type)}, expected ${EXPECTING[shape]}`,
  );
}

/** The plan of every field of ours, or why this writer schema cannot be read. */
export function planRecord(
  schemaId: number,
  writer: unknown,
  fields: readonly [string, Shape][],
): FieldPlan[] | Failure {
  if (!isAvroType(writer)) {
    return fail('invalid_avro', `writer schema ${schemaId} is not an Avro schema`);
  }
  if (writer.typeName !== 'record') {
    return fail('invalid_avro', `writer schema ${schemaId} is ${typeText(writer)}, not a record`);
  }
  const plans: FieldPlan[] = [];
  for (const [name, shape] of fields) {
    const plan = planField(schemaId, writer as unknown as RecordLike, name, shape);
    if ('ok' in plan) return plan;
    plans.push(plan);
  }
  return plans;
}
