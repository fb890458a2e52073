// The dashboard-load benchmark's client, in a process of its own: a browser is not in the server's
// process, and the benchmark's own process holds the backlog it produced, whose garbage collection
// paused this loop by up to ~100 ms and counted that as the web's latency. Asks every endpoint
// `rate` times a second (open loop: a slow answer does not slow the asking) until its stdin
// closes, then prints the samples as one JSON line.
// usage: node --import tsx bench/dashboard-load/asker.ts BASE_URL RATE TOKEN ENDPOINT...
import process from 'node:process';

const [base, rateText, token, ...endpoints] = process.argv.slice(2);
const rate = Number(rateText);
if (!base || !(rate > 0) || !token || endpoints.length === 0) {
  throw new Error('usage: asker.ts BASE_URL RATE TOKEN ENDPOINT...');
}

const latencies: Record<string, number[]> = Object.fromEntries(endpoints.map((e) => [e, []]));
const failures: Record<string, number> = Object.fromEntries(endpoints.map((e) => [e, 0]));
const inFlight = new Set<Promise<void>>();
let done = false;
process.stdin.resume();
process.stdin.on('end', () => (done = true));
process.stdin.on('close', () => (done = true));

function ask(endpoint: string): void {
  const started = performance.now();
  const p = fetch(`${base}${endpoint}`, { headers: { authorization: `Bearer ${token}` } })
    .then(async (res) => {
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      latencies[endpoint]!.push(performance.now() - started);
    })
    .catch(() => {
      failures[endpoint]!++;
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const intervalMs = 1000 / rate;
let next = performance.now();
while (!done) {
  for (const e of endpoints) ask(e);
  next += intervalMs;
  await sleep(Math.max(0, next - performance.now()));
}
await Promise.all(inFlight);
process.stdout.write(`${JSON.stringify({ latencies, failures })}\n`);
