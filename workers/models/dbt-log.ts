// Reads dbt's structured log (`--log-format json`, one JSON event a line) into the few events a
// models run reports, and folds them into live progress per model and test. Pure: no I/O.
// Lines that are not dbt events (a Python traceback, a pip warning) become `output` events.
import type {
  DbtNodeProgress,
  DbtNodeRef,
  DbtNodeStatus,
  DbtResourceType,
  ModelsProgress,
  StatusCounts,
} from '../../lib/jobs/models-contract.ts';

export type {
  DbtNodeProgress,
  DbtNodeRef,
  DbtNodeStatus,
  DbtResourceType,
  ModelsProgress,
  StatusCounts,
};

export type DbtEvent =
  | { kind: 'found'; statLine: string }
  | { kind: 'node_started'; node: DbtNodeRef; index: number; total: number }
  | {
      kind: 'node_finished';
      node: DbtNodeRef;
      status: Exclude<DbtNodeStatus, 'running'>;
      seconds: number;
      failures: number | null;
      index: number;
      total: number;
    }
  | { kind: 'node_message'; node: DbtNodeRef; message: string }
  | { kind: 'run_error'; message: string }
  | { kind: 'show'; rows: unknown[] }
  | { kind: 'output'; text: string };

export const emptyProgress = (): ModelsProgress => ({
  total: null,
  done: 0,
  counts: { success: 0, pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 },
  nodes: [],
  errors: [],
});

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (text: string): string => text.replace(ANSI, '');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function resourceType(value: string): DbtResourceType {
  return (
    (['model', 'test', 'unit_test', 'seed', 'snapshot', 'source'] as const).find(
      (t) => t === value,
    ) ?? 'other'
  );
}

function nodeRef(nodeInfo: Json, fallbackName: string): DbtNodeRef {
  return {
    uniqueId: str(nodeInfo.unique_id),
    name: str(nodeInfo.node_name) || fallbackName,
    resourceType: resourceType(str(nodeInfo.resource_type)),
  };
}

/**
 * The outcome of a finished node. Tests report pass/fail/warn/error in `status`; models and seeds
 * report `node_status` (success/error), while their `status` is a message such as "OK" or "INSERT 5".
 */
function finishedStatus(
  type: DbtResourceType,
  status: string,
  nodeStatus: string,
): Exclude<DbtNodeStatus, 'running'> {
  const known = ['success', 'pass', 'warn', 'fail', 'error', 'skipped'] as const;
  const pick = (s: string) => known.find((k) => k === s.toLowerCase());
  if (type === 'test' || type === 'unit_test') return pick(status) ?? pick(nodeStatus) ?? 'error';
  return pick(nodeStatus) ?? (status.toLowerCase() === 'error' ? 'error' : 'success');
}

/** One line of dbt's output as an event, or null for events a run report does not need. */
export function parseDbtLogLine(line: string): DbtEvent | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { kind: 'output', text: stripAnsi(trimmed) };
  }
  if (!isObject(parsed) || !isObject(parsed.info))
    return { kind: 'output', text: stripAnsi(trimmed) };
  const info = parsed.info;
  const data = isObject(parsed.data) ? parsed.data : {};
  const nodeInfo = isObject(data.node_info) ? data.node_info : undefined;
  const name = str(info.name);
  const level = str(info.level);
  const msg = stripAnsi(str(data.msg) || str(info.msg)).trim();
  switch (name) {
    case 'FoundStats':
      return { kind: 'found', statLine: str(data.stat_line) };
    case 'LogStartLine':
      if (!nodeInfo) return null;
      return {
        kind: 'node_started',
        node: nodeRef(nodeInfo, ''),
        index: num(data.index),
        total: num(data.total),
      };
    case 'LogModelResult':
    case 'LogSeedResult':
    case 'LogSnapshotResult':
    case 'LogTestResult': {
      if (!nodeInfo) return null;
      const node = nodeRef(nodeInfo, str(data.name));
      return {
        kind: 'node_finished',
        node,
        status: finishedStatus(node.resourceType, str(data.status), str(nodeInfo.node_status)),
        seconds: num(data.execution_time),
        failures: typeof data.num_failures === 'number' ? data.num_failures : null,
        index: num(data.index),
        total: num(data.total ?? data.num_models),
      };
    }
    case 'SkippingDetails':
      if (!nodeInfo) return null;
      return {
        kind: 'node_finished',
        node: nodeRef(nodeInfo, str(data.node_name)),
        status: 'skipped',
        seconds: 0,
        failures: null,
        index: num(data.index),
        total: num(data.total),
      };
    case 'ShowNode': {
      try {
        const rows: unknown = JSON.parse(str(data.preview));
        return Array.isArray(rows) ? { kind: 'show', rows } : null;
      } catch {
        return null;
      }
    }
    case 'RunResultError':
      if (nodeInfo && str(nodeInfo.unique_id)) {
        return { kind: 'node_message', node: nodeRef(nodeInfo, ''), message: msg };
      }
      return msg ? { kind: 'run_error', message: msg } : null;
    default:
      // Anything else at error level (a parsing error, a lost connection) fails the run as a whole.
      // RunResultFailure only names the failed node, whose result and message come on their own.
      if (level === 'error' && msg && name !== 'RunResultFailure') {
        if (nodeInfo && str(nodeInfo.unique_id)) {
          return { kind: 'node_message', node: nodeRef(nodeInfo, ''), message: msg };
        }
        return { kind: 'run_error', message: msg };
      }
      return null;
  }
}

function upsertNode(
  nodes: DbtNodeProgress[],
  ref: DbtNodeRef,
  patch: Partial<DbtNodeProgress>,
): DbtNodeProgress[] {
  const at = nodes.findIndex((n) => n.uniqueId === ref.uniqueId);
  if (at < 0) {
    return [
      ...nodes,
      { ...ref, status: 'running', seconds: null, failures: null, message: null, ...patch },
    ];
  }
  const next = nodes.slice();
  next[at] = { ...nodes[at]!, ...patch };
  return next;
}

/** The progress after one more event (a new object; the input is not changed). */
export function applyDbtEvent(progress: ModelsProgress, event: DbtEvent): ModelsProgress {
  switch (event.kind) {
    case 'node_started':
      return {
        ...progress,
        total: progress.total ?? (event.total || null),
        nodes: upsertNode(progress.nodes, event.node, { status: 'running' }),
      };
    case 'node_finished': {
      const before = progress.nodes.find((n) => n.uniqueId === event.node.uniqueId);
      const wasDone = before !== undefined && before.status !== 'running';
      return {
        ...progress,
        total: progress.total ?? (event.total || null),
        done: wasDone ? progress.done : progress.done + 1,
        counts: wasDone
          ? progress.counts
          : { ...progress.counts, [event.status]: progress.counts[event.status] + 1 },
        nodes: upsertNode(progress.nodes, event.node, {
          status: event.status,
          seconds: event.seconds,
          failures: event.failures,
        }),
      };
    }
    case 'node_message':
      return {
        ...progress,
        nodes: upsertNode(progress.nodes, event.node, { message: event.message }),
      };
    case 'run_error':
      return { ...progress, errors: [...progress.errors, event.message] };
    default:
      return progress;
  }
}

/** Whether the run reported anything that fails it: an errored or failed node, or a run error. */
export function hasFailures(progress: ModelsProgress): boolean {
  return progress.counts.error > 0 || progress.counts.fail > 0 || progress.errors.length > 0;
}
