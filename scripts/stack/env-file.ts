// Writes the env file `npm run stack:up` records its services in (.env.local). dotenv reads it
// back (lib/config.ts) but has no writer, so this one quotes exactly as dotenv.parse unquotes:
// dotenv has no escapes, so a value is written bare when it is plain, else inside a quote
// character it does not contain ('…' is literal; "…" would turn \n into a newline).
import { writeFileSync } from 'node:fs';

/** Characters dotenv reads back as they are outside quotes (no #, quotes, spaces or line ends). */
const PLAIN = /^[\w@%+=:,./?&!~*^$()[\]{}|;<>-]*$/;

/** `value` as dotenv.parse reads it back unchanged; throws for what it cannot hold. */
export function envFileValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('an env file value cannot hold a line break');
  if (PLAIN.test(value)) return value;
  if (!value.includes("'") && !value.endsWith('\\')) return `'${value}'`;
  if (!value.includes('"') && !/\\[nr]/.test(value) && !value.endsWith('\\')) return `"${value}"`;
  if (!value.includes('`') && !value.endsWith('\\')) return `\`${value}\``;
  throw new Error(`dotenv cannot read this value back: ${JSON.stringify(value)}`);
}

/** `# header` lines, then KEY=value lines in the order given. */
export function formatEnvFile(values: Record<string, string>, header: string[] = []): string {
  const lines = header.map((line) => `# ${line}`);
  for (const [key, value] of Object.entries(values)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not an env variable name: ${key}`);
    lines.push(`${key}=${envFileValue(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `values` to `file`, readable by its owner only (it holds passwords and the admin token). */
export function writeEnvFile(file: string, values: Record<string, string>, header: string[] = []) {
  writeFileSync(file, formatEnvFile(values, header), { mode: 0o600 });
}
