// What the admin page shows of the schema registry: its subjects, each subject's versions (with
// the registry id of each) and compatibility level, read over the Confluent Schema Registry REST
// API (Apicurio's ccompat API speaks it too) at SCHEMA_REGISTRY_URL, through lib/schemas'
// registryRequest. Read-only, every call under a timeout; a registry that does not answer is
// reported as down, never thrown.
import { z } from 'zod';
import { RegistryHttpError, registryRequest } from '../schemas/registration.ts';

export interface SchemaVersionInfo {
  version: number;
  /** The registry's global id of this schema: the id Avro messages carry in their frame. */
  id: number;
  /** The record's field names, in order (what changed between versions, at a glance). */
  fields: string[];
}

export interface SubjectInfo {
  subject: string;
  /** The subject's compatibility level, or the registry's default when it has none of its own. */
  compatibility: string | null;
  versions: SchemaVersionInfo[];
}

export type RegistryOverview =
  | { state: 'not_configured' }
  | { state: 'down'; url: string; error: string }
  | { state: 'up'; url: string; defaultCompatibility: string | null; subjects: SubjectInfo[] };

export interface RegistryReadOptions {
  timeoutMs?: number;
  /** Subjects read at most (a registry shared with other systems may hold many). */
  maxSubjects?: number;
}

const subjectsSchema = z.array(z.string());
const versionsSchema = z.array(z.number().int());
const versionSchema = z.object({
  id: z.number().int(),
  version: z.number().int(),
  schema: z.string(),
});
const configSchema = z.object({ compatibilityLevel: z.string() });

/** Record field names of a schema's text; empty for a schema that is not an Avro record. */
export function recordFields(schema: string): string[] {
  try {
    const parsed = JSON.parse(schema) as { type?: unknown; fields?: { name?: unknown }[] };
    if (parsed.type !== 'record' || !Array.isArray(parsed.fields)) return [];
    return parsed.fields.map((f) => String(f.name));
  } catch {
    return [];
  }
}

/** The compatibility level at `path` (config/{subject} or config), null where none is set. */
async function compatibilityAt(base: string, path: string, timeoutMs: number) {
  try {
    return configSchema.parse(await registryRequest(base, 'GET', `/${path}`, undefined, timeoutMs))
      .compatibilityLevel;
  } catch (error) {
    if (error instanceof RegistryHttpError && error.status === 404) return null;
    throw error;
  }
}

/** Subjects, versions and compatibility of the registry at `baseUrl` (undefined: none set). */
export async function readRegistryOverview(
  baseUrl: string | undefined,
  options: RegistryReadOptions = {},
): Promise<RegistryOverview> {
  if (!baseUrl) return { state: 'not_configured' };
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 3_000;
  try {
    const names = subjectsSchema
      .parse(await registryRequest(base, 'GET', '/subjects', undefined, timeoutMs))
      .sort()
      .slice(0, options.maxSubjects ?? 50);
    const defaultCompatibility = await compatibilityAt(base, 'config', timeoutMs);
    const subjects = await Promise.all(
      names.map(async (subject): Promise<SubjectInfo> => {
        const s = encodeURIComponent(subject);
        const numbers = versionsSchema.parse(
          await registryRequest(base, 'GET', `/subjects/${s}/versions`, undefined, timeoutMs),
        );
        const versions = await Promise.all(
          numbers.map(async (n) => {
            const v = versionSchema.parse(
              await registryRequest(
                base,
                'GET',
                `/subjects/${s}/versions/${n}`,
                undefined,
                timeoutMs,
              ),
            );
            return { version: v.version, id: v.id, fields: recordFields(v.schema) };
          }),
        );
        const own = await compatibilityAt(base, `config/${s}`, timeoutMs);
        return {
          subject,
          compatibility: own ?? defaultCompatibility,
          versions: versions.sort((a, b) => a.version - b.version),
        };
      }),
    );
    return { state: 'up', url: base, defaultCompatibility, subjects };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const message = error instanceof Error ? error.message : String(error);
    return {
      state: 'down',
      url: base,
      error: cause?.code
        ? `${message} (${cause.code})`
        : cause?.message
          ? `${message}: ${cause.message}`
          : message,
    };
  }
}

/** The subject and version a registry id names, among the subjects read (first match). */
export function schemaIdIndex(
  subjects: readonly SubjectInfo[],
): Map<number, { subject: string; version: number }> {
  const index = new Map<number, { subject: string; version: number }>();
  for (const s of subjects)
    for (const v of s.versions)
      if (!index.has(v.id)) index.set(v.id, { subject: s.subject, version: v.version });
  return index;
}
