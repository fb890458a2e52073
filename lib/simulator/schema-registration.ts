// Registers the simulator's writer schemas before it produces Avro: each under its topic's
// subject (TopicNameStrategy: `<topic>-value`) with the configured compatibility level, through
// the registry client of lib/schemas. The registry decides: a version it refuses (click v3 drops
// a required field) comes back as SchemaRegistrationRefused with the registry's own words.
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  CHECKOUT_V1_SCHEMA,
  CLICK_V1_SCHEMA,
  CLICK_V2_SCHEMA,
  CLICK_V3_INCOMPATIBLE_SCHEMA,
} from '../domain/wire-records.generated.ts';
import type { AvroWriterSchemas, ClickSchemaVersion } from './message-encoder.ts';

/** Every click schema in schemas/, v3 included: it exists to be refused. */
export const CLICK_SCHEMAS = {
  v1: CLICK_V1_SCHEMA,
  v2: CLICK_V2_SCHEMA,
  v3: CLICK_V3_INCOMPATIBLE_SCHEMA,
} as const;
export type ClickSchemaName = keyof typeof CLICK_SCHEMAS;

export type SchemaRegistrar = Pick<SchemaRegistry, 'register'>;

/** The subject of a topic's values (TopicNameStrategy). */
export const valueSubject = (topic: string) => `${topic}-value`;

/** The registry refused the schema (HTTP 409 incompatible, 422 invalid, or a level mismatch). */
export class SchemaRegistrationRefused extends Error {
  constructor(
    readonly subject: string,
    /** The registry's HTTP status, when it answered with one. */
    readonly status: number | undefined,
    /** The registry's own message. */
    readonly registryMessage: string,
  ) {
    super(
      `The schema registry refused the schema for ${subject}${status ? ` (${status})` : ''}: ${registryMessage}`,
    );
    this.name = 'SchemaRegistrationRefused';
  }
}

/** The registry's message without the client's `<clientId> - ` prefix. */
function registryMessageOf(error: Error): string {
  return error.message.replace(/^[\w.-]* - /, '');
}

/** Registers `schema` (Avro JSON text) under `subject`; resolves with its registry id. */
export async function registerSchema(
  registry: SchemaRegistrar,
  subject: string,
  schema: string,
  compatibility: string,
): Promise<number> {
  try {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema },
      // The client's type names the levels it knows; ours come from the validated config.
      { subject, compatibility: compatibility as never },
    );
    return id;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const status = (error as { status?: unknown }).status;
    if (status === 409 || status === 422) {
      throw new SchemaRegistrationRefused(subject, status, registryMessageOf(error));
    }
    if (error.name === 'ConfluentSchemaRegistryCompatibilityError') {
      throw new SchemaRegistrationRefused(subject, undefined, error.message);
    }
    throw error;
  }
}

/** Registers the click schema `clickSchema` and checkout v1; the writer schemas to encode with. */
export async function registerWriterSchemas(
  registry: SchemaRegistrar,
  topics: { clicks: string; checkouts: string },
  clickSchema: ClickSchemaVersion,
  compatibility: string,
): Promise<AvroWriterSchemas> {
  const click = CLICK_SCHEMAS[clickSchema];
  const clickId = await registerSchema(registry, valueSubject(topics.clicks), click, compatibility);
  const checkoutId = await registerSchema(
    registry,
    valueSubject(topics.checkouts),
    CHECKOUT_V1_SCHEMA,
    compatibility,
  );
  return {
    click: { id: clickId, schema: click },
    checkout: { id: checkoutId, schema: CHECKOUT_V1_SCHEMA },
  };
}
