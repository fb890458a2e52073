// Input schemas of the simulator's wire-format routes: the encoding (JSON or Avro) and click
// schema version it sends with, and the click schema it may try to register (v3 included: it is
// there to be refused). Unknown values are a 400 naming what is accepted.
import { z } from 'zod';
import { CLICK_SCHEMA_VERSIONS, MESSAGE_ENCODINGS } from '../simulator/message-encoder.ts';
import { CLICK_SCHEMAS, type ClickSchemaName } from '../simulator/schema-registration.ts';

const oneOf = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z.enum(values, {
    error: (issue) =>
      `unknown ${what} ${JSON.stringify(issue.input)}: expected one of ${values.join(', ')}`,
  });

export const wireFormatSchema = z.strictObject({
  encoding: oneOf(MESSAGE_ENCODINGS, 'encoding'),
  clickSchema: oneOf(CLICK_SCHEMA_VERSIONS, 'click schema version').default('v1'),
});

const clickSchemaNames = Object.keys(CLICK_SCHEMAS) as [ClickSchemaName, ...ClickSchemaName[]];

export const clickSchemaRegistrationSchema = z.strictObject({
  clickSchema: oneOf(clickSchemaNames, 'click schema version'),
});
