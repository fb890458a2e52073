import { describe, expect, it } from 'vitest';
import {
  applyDbtEvent,
  emptyProgress,
  hasFailures,
  parseDbtLogLine,
  type DbtEvent,
  type ModelsProgress,
} from './dbt-log.ts';

// Events as dbt 1.11 writes them with --log-format json (trimmed to the fields dbt always sends).
const nodeInfo = (uniqueId: string, name: string, resourceType: string, nodeStatus: string) => ({
  materialized: 'table',
  node_name: name,
  node_status: nodeStatus,
  resource_type: resourceType,
  unique_id: uniqueId,
});
const line = (name: string, level: string, data: object, msg = '') =>
  JSON.stringify({
    data,
    info: { code: 'Q000', level, msg, name, invocation_id: 'x', ts: '2026-11-24T11:53:00Z' },
  });

const startModel = line('LogStartLine', 'info', {
  description: 'sql table model marts.fct',
  index: 1,
  node_info: nodeInfo('model.clickstream.fct', 'fct', 'model', 'started'),
  total: 4,
});
const modelOk = line(
  'LogModelResult',
  'info',
  {
    execution_time: 0.71,
    index: 1,
    node_info: nodeInfo('model.clickstream.fct', 'fct', 'model', 'success'),
    status: 'OK',
    total: 4,
  },
  '1 of 4 OK created sql table model marts.fct ... [\u001b[32mOK\u001b[0m in 0.71s]',
);
const modelError = line('LogModelResult', 'error', {
  execution_time: 0.31,
  index: 2,
  node_info: nodeInfo('model.clickstream.broken', 'broken', 'model', 'error'),
  status: 'error',
  total: 4,
});
const testFail = line('LogTestResult', 'error', {
  execution_time: 0.1,
  index: 3,
  name: 'assert_fails',
  node_info: nodeInfo('test.clickstream.assert_fails', 'assert_fails', 'test', 'fail'),
  num_failures: 3,
  num_models: 4,
  status: 'fail',
});
// Unit tests report node_status "None": their outcome is in `status` only.
const unitPass = line('LogTestResult', 'info', {
  execution_time: 0.25,
  index: 4,
  name: 'fct::case_01',
  node_info: nodeInfo('unit_test.clickstream.fct.case_01', 'case_01', 'unit_test', 'None'),
  num_failures: 0,
  num_models: 4,
  status: 'pass',
});
const skipped = line('SkippingDetails', 'info', {
  index: 5,
  node_info: nodeInfo('model.clickstream.child', 'child', 'model', 'skipped'),
  node_name: 'child',
  resource_type: 'model',
  total: 4,
});
const errorMessage = line('RunResultError', 'error', {
  msg: 'Runtime Error in model broken\n  Catalog Error: Table with name nonexistent does not exist!',
  node_info: nodeInfo('model.clickstream.broken', 'broken', 'model', 'None'),
});
const parsingError = JSON.stringify({
  data: { exc: 'Parsing Error\n  Error reading clickstream: broken.yml' },
  info: {
    level: 'error',
    msg: 'Encountered an error:\nParsing Error\n  Error reading clickstream: broken.yml',
    name: 'MainEncounteredError',
  },
});
const show = line('ShowNode', 'info', {
  is_inline: true,
  node_name: 'inline_query',
  output_format: 'json',
  preview: '[{"checkout_date": "2024-03-02", "agreement_pct": 100.0}]',
});

const fold = (lines: string[]): ModelsProgress =>
  lines
    .map(parseDbtLogLine)
    .filter((e): e is DbtEvent => e !== null)
    .reduce(applyDbtEvent, emptyProgress());

describe('parseDbtLogLine', () => {
  it.each([
    ['a model that built', modelOk, { kind: 'node_finished', status: 'success', seconds: 0.71 }],
    ['a model that errored', modelError, { kind: 'node_finished', status: 'error' }],
    [
      'a failing test, with its failing rows',
      testFail,
      { kind: 'node_finished', status: 'fail', failures: 3 },
    ],
    ['a passing unit test (node_status None)', unitPass, { kind: 'node_finished', status: 'pass' }],
    [
      'a node skipped after its parent failed',
      skipped,
      { kind: 'node_finished', status: 'skipped' },
    ],
    ['the error message of a node', errorMessage, { kind: 'node_message' }],
    ['a crash before any node ran', parsingError, { kind: 'run_error' }],
  ])('reads %s', (_name, text, expected) => {
    expect(parseDbtLogLine(text)).toMatchObject(expected);
  });

  it('names the node by its unique id and type', () => {
    expect(parseDbtLogLine(unitPass)).toMatchObject({
      node: {
        uniqueId: 'unit_test.clickstream.fct.case_01',
        name: 'case_01',
        resourceType: 'unit_test',
      },
    });
  });

  it('returns the rows of dbt show', () => {
    expect(parseDbtLogLine(show)).toEqual({
      kind: 'show',
      rows: [{ checkout_date: '2024-03-02', agreement_pct: 100 }],
    });
  });

  it('keeps lines that are not JSON as output, without colour codes', () => {
    expect(parseDbtLogLine('Traceback \u001b[31m(most recent call last)\u001b[0m:')).toEqual({
      kind: 'output',
      text: 'Traceback (most recent call last):',
    });
  });

  it('ignores blank lines and events a report does not need', () => {
    expect(parseDbtLogLine('  ')).toBeNull();
    expect(parseDbtLogLine(line('ConcurrencyLine', 'info', { num_threads: 2 }))).toBeNull();
    expect(
      parseDbtLogLine(
        line(
          'RunResultFailure',
          'error',
          { node_info: nodeInfo('m', 'm', 'model', 'None') },
          'Failure in model m',
        ),
      ),
    ).toBeNull();
  });
});

describe('applyDbtEvent', () => {
  it('follows a node from running to its outcome', () => {
    const started = fold([startModel]);
    expect(started).toMatchObject({
      total: 4,
      done: 0,
      nodes: [{ name: 'fct', status: 'running' }],
    });
    const finished = fold([startModel, modelOk]);
    expect(finished).toMatchObject({
      total: 4,
      done: 1,
      nodes: [{ name: 'fct', status: 'success', seconds: 0.71 }],
    });
    expect(finished.counts.success).toBe(1);
  });

  it('counts each outcome once and attaches messages to their node', () => {
    const p = fold([
      startModel,
      modelOk,
      modelError,
      errorMessage,
      testFail,
      unitPass,
      skipped,
      modelOk,
    ]);
    expect(p.done).toBe(5);
    expect(p.counts).toEqual({ success: 1, pass: 1, warn: 0, fail: 1, error: 1, skipped: 1 });
    expect(p.nodes.find((n) => n.name === 'broken')?.message).toContain(
      'nonexistent does not exist',
    );
    expect(p.nodes.find((n) => n.name === 'assert_fails')?.failures).toBe(3);
  });

  it('does not change the progress it is given', () => {
    const before = fold([startModel]);
    const copy = structuredClone(before);
    applyDbtEvent(before, parseDbtLogLine(modelOk)!);
    expect(before).toEqual(copy);
  });

  it.each([
    ['a clean run', [startModel, modelOk, unitPass], false],
    ['an errored model', [modelError], true],
    ['a failed test', [testFail], true],
    ['a crash', [parsingError], true],
  ])('hasFailures: %s → %s', (_name, lines, expected) => {
    expect(hasFailures(fold(lines))).toBe(expected);
  });
});
