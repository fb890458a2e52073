// CPU microbenchmark of the event parser on the speed layer's hot path (issue 13): parses `n`
// generated messages (the simulator's stream, as UTF-8 bytes as Kafka hands them over, 1% of them
// malformed) with the shipping parser (lib/domain/events.ts) or the frozen zod reference
// (reference-parser/zod-events.ts), and prints messages per second of CPU time (the process's,
// GC threads included: wall time on a shared machine measures the neighbours) as JSON. One parser a process, so the
// other's JIT code stays out of the figure; alternate runs for an A/B on a noisy machine:
//   node --import tsx test/domain/measure-event-parsing.ts reference 1000000
//   node --import tsx test/domain/measure-event-parsing.ts shipping 1000000
import * as shipping from '../../lib/domain/events.ts';
import { StreamGenerator, defaultGeneratorSettings } from '../../lib/simulator/stream-generator.ts';
import { MIX_PRESETS } from '../../lib/simulator/channel-mix.ts';
import * as reference from './reference-parser/zod-events.ts';

const [which = 'shipping', count = '1000000'] = process.argv.slice(2);
const parser = which === 'reference' ? reference : which === 'shipping' ? shipping : undefined;
if (!parser) throw new Error(`parser must be reference or shipping, got ${which}`);
const n = Number(count);

const generator = new StreamGenerator(
  { ...defaultGeneratorSettings, malformedShare: 0.01, channelMix: MIX_PRESETS.balanced },
  1,
);
const start = Date.UTC(2026, 2, 1);
const topics: boolean[] = []; // true: a click
const values: Uint8Array[] = [];
for (let tick = 0; values.length < n; tick++) {
  for (const m of generator.emit(start + tick * 100, 50)) {
    topics.push(m.topic === 'clicks');
    values.push(Buffer.from(m.value));
  }
}
topics.length = values.length = n;
const read = { now: start + 100 * n, maxFutureSkewMs: 60_000 };

function pass(): { ms: number; accepted: number } {
  let accepted = 0;
  const began = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const result = topics[i]
      ? parser!.parseClick(values[i]!, read)
      : parser!.parseCheckout(values[i]!, read);
    if (result.ok) accepted++;
  }
  const used = process.cpuUsage(began);
  return { ms: (used.user + used.system) / 1000, accepted };
}

pass(); // warm-up: the JIT's tiers, not the parser, would otherwise be measured
const runs = [pass(), pass(), pass()];
const best = Math.min(...runs.map((r) => r.ms));
console.log(
  JSON.stringify({
    parser: which,
    messages: n,
    accepted: runs[0]!.accepted,
    bytes: values.reduce((s, v) => s + v.length, 0),
    messagesPerCpuSecond: Math.round((n / best) * 1000),
    passesMs: runs.map((r) => Math.round(r.ms)),
  }),
);
