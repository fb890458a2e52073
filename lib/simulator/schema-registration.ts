// Registers the simulator's writer schemas before it produces Avro: each under its topic's
// subject (TopicNameStrategy: `<topic>-value`) with the configured compatibility level, over the
// registry's REST API (lib/schemas/registration.ts). The registry decides: a version it refuses
// (click v3 drops a required field) comes back as SchemaRegistrationRefused with its own words.
import {
  CHECKOUT_V1_SCHEMA,
  CLICK_V1_SCHEMA,
  CLICK_V2_SCHEMA,
  CLICK_V3_INCOMPATIBLE_SCHEMA,
} from '../domain/wire-records.generated.ts';
import {
  RegistryHttpError,
  registryRequest,
  subjectVersions,
  valueSubject,
  type Compatibility,
} from '../schemas/registration.ts';
import type { AvroWriterSchemas, ClickSchemaVersion } from './message-encoder.ts';

export { valueSubject };

/** Every click schema in schemas/, v3 included: it exists to be refused. */
export const CLICK_SCHEMAS = {
  v1: CLICK_V1_SCHEMA,
  v2: CLICK_V2_SCHEMA,
  v3: CLICK_V3_INCOMPATIBLE_SCHEMA,
} as const;
export type ClickSchemaName = keyof typeof CLICK_SCHEMAS;

/** The registry refused the schema (409 incompatible, 422 invalid): its status and message. */
export class SchemaRegistrationRefused extends Error {
  constructor(
    readonly subject: string,
    readonly status: number,
    /** The registry's own message. */
    readonly registryMessage: string,
  ) {
    super(`The schema registry refused the schema for ${subject} (${status}): ${registryMessage}`);
    this.name = 'SchemaRegistrationRefused';
  }
}

/**
 * Registers `schema` (Avro JSON text) under `subject` and resolves with its registry id. The
 * subject's compatibility is set first when it exists (so the registry judges the new version
 * by it), right after the first version otherwise (a subject must exist to carry a level).
 */
export async function registerSchema(
  url: string,
  subject: string,
  schema: string,
  compatibility: Compatibility,
): Promise<number> {
  const path = `/subjects/${encodeURIComponent(subject)}/versions`;
  const config = `/config/${encodeURIComponent(subject)}`;
  try {
    const exists = (await subjectVersions(url, subject)).length > 0;
    if (exists) await registryRequest(url, 'PUT', config, { compatibility });
    const { id } = await registryRequest<{ id: number }>(url, 'POST', path, { schema });
    if (!exists) await registryRequest(url, 'PUT', config, { compatibility });
    return id;
  } catch (error) {
    if (error instanceof RegistryHttpError && (error.status === 409 || error.status === 422)) {
      const message = error.message.replace(/^\w+ \S+: \d+ /, '');
      throw new SchemaRegistrationRefused(subject, error.status, message);
    }
    throw error;
  }
}

/** Registers the click schema `clickSchema` and checkout v1; the writer schemas to encode with. */
export async function registerWriterSchemas(
  url: string,
  topics: { clicks: string; checkouts: string },
  clickSchema: ClickSchemaVersion,
  compatibility: Compatibility,
): Promise<AvroWriterSchemas> {
  const click = CLICK_SCHEMAS[clickSchema];
  const clickId = await registerSchema(url, valueSubject(topics.clicks), click, compatibility);
  const checkoutId = await registerSchema(
    url,
    valueSubject(topics.checkouts),
    CHECKOUT_V1_SCHEMA,
    compatibility,
  );
  return {
    click: { id: clickId, schema: click },
    checkout: { id: checkoutId, schema: CHECKOUT_V1_SCHEMA },
  };
}
