// parseClick on the peers backlog's clicks (bench/peers/backlog.ts, uniform shape), as Kafka
// hands them over (bytes): through its fast path (lib/domain/click-scan.ts) and through the full
// parse. The full parse runs on the same bytes behind a leading tab, JSON whitespace the fast path
// declines, so both read the same messages and accept the same events (checked). Best of
// --rounds, variants alternated round by round; µs per click. Needs no service.
// Usage: npm run bench -- click-parse [--events=300000] [--rounds=15]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/config.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, parseClick } from '../lib/domain/events.ts';
import { scanClick } from '../lib/domain/click-scan.ts';
import { generateBacklog } from './peers/backlog.ts';
import { benchArgs } from './bench-support.ts';

const args = benchArgs();
const EVENTS = Number(args.get('events') ?? 300_000);
const ROUNDS = Number(args.get('rounds') ?? 15);

const clicks = generateBacklog('uniform', EVENTS)
  .messages.filter((m) => m.topic === 'clicks')
  .map((m) => Buffer.from(m.value));
const tabbed = clicks.map((c) => Buffer.concat([Buffer.from('\t'), c]));
const read = { now: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS };

if (clicks.some((c) => scanClick(c) === undefined) || tabbed.some((c) => scanClick(c))) {
  throw new Error('the fast path must take every backlog click and decline every tabbed one');
}

/** Parses every message once; ms, and the number accepted. */
function pass(messages: Buffer[]): { ms: number; accepted: number } {
  const started = performance.now();
  let accepted = 0;
  for (const m of messages) if (parseClick(m, read).ok) accepted++;
  return { ms: performance.now() - started, accepted };
}

const best = { fast: Infinity, full: Infinity };
for (let round = 0; round < ROUNDS; round++) {
  const fast = pass(clicks);
  const full = pass(tabbed);
  if (fast.accepted !== clicks.length || full.accepted !== clicks.length) {
    throw new Error(`accepted ${fast.accepted} and ${full.accepted} of ${clicks.length}`);
  }
  best.fast = Math.min(best.fast, fast.ms);
  best.full = Math.min(best.full, full.ms);
}
const perClick = (ms: number) => (ms * 1000) / clicks.length;
const figures = {
  at: new Date().toISOString(),
  clicks: clicks.length,
  rounds: ROUNDS,
  fastPathMicrosPerClick: Number(perClick(best.fast).toFixed(2)),
  fullParseMicrosPerClick: Number(perClick(best.full).toFixed(2)),
  ratio: Number((best.full / best.fast).toFixed(2)),
};
console.log(
  `parseClick on ${clicks.length.toLocaleString('en-US')} clicks (bytes), best of ${ROUNDS}: ` +
    `fast path ${figures.fastPathMicrosPerClick} µs a click, full parse ` +
    `${figures.fullParseMicrosPerClick} µs (${figures.ratio}× the fast path)`,
);
const dir = path.join(projectRoot, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'click-parse.json'), `${JSON.stringify(figures, null, 2)}\n`);
console.log('wrote bench/results/click-parse.json');
