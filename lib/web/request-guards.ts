// Pure checks the web server (and the workers' endpoints) apply to every request before any
// route sees it: which Host names it answers to (DNS rebinding), whether an Origin is this
// server, who the client is (the socket's peer; X-Forwarded-For only from a trusted proxy),
// and whether a request body may be read at all.
import { isIP } from 'node:net';

/**
 * The host name of a Host header, lower-case, without port or IPv6 brackets; undefined when the
 * header is missing or malformed (a port over 65535, brackets around anything but an IPv6
 * address: no URL can be built from such a header).
 */
export function hostnameOf(hostHeader: string | null | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const host = hostHeader.trim().toLowerCase();
  const portOk = (port: string | undefined) => port === undefined || Number(port) <= 65_535;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(host);
  if (bracketed)
    return isIP(bracketed[1]!) === 6 && portOk(bracketed[2]) ? bracketed[1] : undefined;
  const plain = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  return plain && portOk(plain[2]) ? plain[1]!.replace(/\.$/, '') : undefined;
}

/**
 * Whether a request naming `hostHeader` is for this server. IP literals and localhost always are
 * (DNS rebinding needs a name the attacker controls); any other name must be listed, exactly or
 * as `.parent.domain` for its subdomains.
 */
export function hostAllowed(hostHeader: string | null | undefined, allowed: string[]): boolean {
  const name = hostnameOf(hostHeader);
  if (name === undefined || name === '') return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/\.$/, '');
    if (e === '') return false;
    return e.startsWith('.') ? name.endsWith(e) && name.length > e.length : name === e;
  });
}

/** Whether an Origin header names the host the request was sent to (scheme and port included). */
export function originMatchesHost(origin: string | null, hostHeader: string | null): boolean {
  if (origin === null || hostHeader === null) return false;
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.host === hostHeader.trim().toLowerCase()
    );
  } catch {
    return false;
  }
}

/** An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as the IPv4 address it is. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * The client's address: the socket's peer, unless the peer is a trusted proxy; then the nearest
 * X-Forwarded-For entry that is not one (proxies append, so the left part is whatever the client
 * wrote and is never believed).
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: string[],
): string {
  const trusted = new Set(trustedProxies.map(plainAddress));
  let address = plainAddress(peer ?? 'unknown');
  if (!trusted.has(address) || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => plainAddress(hop.trim()))
    .filter((hop) => hop !== '');
  while (trusted.has(address) && hops.length > 0) {
    const next = hops.pop()!;
    if (isIP(next) === 0) break;
    address = next;
  }
  return address;
}

/**
 * The key a client is throttled under: its IPv4 address, or its IPv6 /64 (one host usually holds
 * a whole /64, so per-address keys would let it rotate freely).
 */
export function throttleKey(address: string): string {
  const plain = plainAddress(address);
  if (isIP(plain) !== 6) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export type BodyVerdict = { ok: true } | { ok: false; status: 411 | 413; error: string };

/**
 * Whether a request's body may be read: bodies must say their length (no chunked uploads of
 * unknown size) and stay under `maxBytes`, decided from the headers before a byte is read.
 */
export function bodyVerdict(
  headers: { 'content-length'?: string; 'transfer-encoding'?: string },
  maxBytes: number,
): BodyVerdict {
  const length = headers['content-length'];
  const chunked = headers['transfer-encoding'] !== undefined;
  if (chunked) {
    return {
      ok: false,
      status: 411,
      error: 'Send the body with a Content-Length (chunked request bodies are not accepted).',
    };
  }
  if (length === undefined) return { ok: true };
  const bytes = /^\d{1,15}$/.test(length.trim()) ? Number(length) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes > maxBytes) {
    return {
      ok: false,
      status: 413,
      error: `The request body is larger than ${maxBytes} bytes.`,
    };
  }
  return { ok: true };
}
