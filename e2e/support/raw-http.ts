// Plain node:http for the security tests, where Playwright's request API cannot go: requests from
// another loopback address (a different client to the server, 127.0.0.2), bodies declared larger
// than what is sent, websocket upgrades with any Origin, and the listening sockets themselves
// read from /proc/net/tcp{,6}.
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's own address (any of 127.0.0.0/8 works on Linux). */
  localAddress?: string;
  /** Connect here (default 127.0.0.1); the Host header stays `localhost:<port>` unless given. */
  address?: string;
}

export function rawRequest(r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: r.address ?? '127.0.0.1',
        port: r.port,
        path: r.path,
        method: r.method ?? 'GET',
        localAddress: r.localAddress,
        headers: {
          host: `localhost:${r.port}`,
          ...(r.body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) }
            : {}),
          ...r.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

/**
 * Declares a `declaredBytes` body, sends its first 64 KiB, and waits (at most `waitMs`) for an
 * answer. A server that refuses by the headers answers at once; one that reads the body first
 * waits for bytes that never come, and this resolves with status 0.
 */
export function postOversized(
  port: number,
  path: string,
  declaredBytes: number,
  waitMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, body: received.slice(received.indexOf('\r\n\r\n') + 4) });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const head = received.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(received)?.[1] ?? -1);
      if (head >= 0 && length >= 0 && received.length >= head + 4 + length) done();
    });
    socket.on('end', done);
    socket.on('error', (error) => (received ? done() : reject(error)));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${declaredBytes}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(64 * 1024, 0x20));
  });
}

/** Tries a websocket upgrade of socket.io with `origin`: the status (101 = accepted). */
export function websocketUpgrade(port: number, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/socket.io/?EIO=4&transport=websocket',
      agent: false,
      headers: {
        host: `localhost:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...(origin ? { origin } : {}),
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The IPv4 or IPv6 address of a /proc/net/tcp{,6} hex field, as text. */
function procAddress(hex: string): string {
  if (hex.length === 8) {
    return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
  }
  // IPv6: four 32-bit words, each in host (little-endian) byte order.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:ffff:7f00:1') return '::ffff:127.0.0.1';
  return text === '0:0:0:0:0:0:0:0' ? '::' : text === '0:0:0:0:0:0:0:1' ? '::1' : text;
}

/** Every local address something listens on at TCP `port`, from the kernel's socket tables. */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4 || fields[3] !== '0A') continue; // 0A = LISTEN
      const [addressHex = '', portHex = ''] = fields[1]!.split(':');
      if (parseInt(portHex, 16) === port) out.push(procAddress(addressHex));
    }
  }
  return out;
}
