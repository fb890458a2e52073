// Reads dbt's `target/run_results.json` (schema v5/v6) into the per-node record a models run
// keeps: status, execution time, failing rows and message. Pure: the caller reads the file.
import type { NodeResult } from '../../lib/jobs/models-contract.ts';

export type { NodeResult };
import type { DbtNodeStatus, DbtResourceType } from './dbt-log.ts';

export interface RunResults {
  dbtVersion: string;
  invocationId: string;
  elapsedSeconds: number;
  results: NodeResult[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `model.clickstream.fct_x` → model / fct_x; `unit_test.clickstream.model.case` → unit_test / model::case. */
function describe(uniqueId: string): { resourceType: DbtResourceType; name: string } {
  const [type = '', , ...rest] = uniqueId.split('.');
  const known = ['model', 'test', 'unit_test', 'seed', 'snapshot', 'source'] as const;
  const resourceType = known.find((k) => k === type) ?? 'other';
  // Generic test ids end in a hash (`.e779a6f6c2`): drop it from the display name.
  const parts = resourceType === 'test' && rest.length > 1 ? rest.slice(0, -1) : rest;
  return { resourceType, name: parts.join(resourceType === 'unit_test' ? '::' : '.') };
}

function status(raw: unknown): Exclude<DbtNodeStatus, 'running'> {
  const known = ['success', 'pass', 'warn', 'fail', 'error', 'skipped'] as const;
  return known.find((k) => k === String(raw).toLowerCase()) ?? 'error';
}

/** Parses run_results.json text; throws on a file that is not one. */
export function parseRunResults(text: string): RunResults {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed) || !Array.isArray(parsed.results) || !isObject(parsed.metadata)) {
    throw new Error('not a dbt run_results.json: results or metadata missing');
  }
  const metadata = parsed.metadata;
  return {
    dbtVersion: String(metadata.dbt_version ?? ''),
    invocationId: String(metadata.invocation_id ?? ''),
    elapsedSeconds: typeof parsed.elapsed_time === 'number' ? parsed.elapsed_time : 0,
    results: parsed.results.filter(isObject).map((r) => {
      const uniqueId = String(r.unique_id ?? '');
      return {
        uniqueId,
        ...describe(uniqueId),
        status: status(r.status),
        seconds: typeof r.execution_time === 'number' ? r.execution_time : 0,
        failures: typeof r.failures === 'number' ? r.failures : null,
        message: typeof r.message === 'string' && r.message !== '' ? r.message : null,
      };
    }),
  };
}

/** The nodes that fail a run: errors and failed tests. */
export function failedNodes(results: readonly NodeResult[]): NodeResult[] {
  return results.filter((r) => r.status === 'error' || r.status === 'fail');
}
