// The front door's pure checks, table-driven: Host names (DNS rebinding), Origins, the client's
// address behind (trusted and untrusted) proxies, throttle keys, and bodies refused by headers.
import { describe, expect, it } from 'vitest';
import {
  bodyVerdict,
  clientAddress,
  hostAllowed,
  hostnameOf,
  originMatchesHost,
  throttleKey,
} from './request-guards.ts';
import { safeNextPath } from './safe-next.ts';

describe('hostAllowed', () => {
  it.each([
    ['localhost:3000', [], true],
    ['LOCALHOST', [], true],
    ['app.localhost:3000', [], true],
    ['127.0.0.1:3000', [], true],
    ['192.168.1.20:3000', [], true],
    ['[::1]:3000', [], true],
    ['evil.example:3000', [], false],
    ['evil.example', ['clickstream.example.com'], false],
    ['clickstream.example.com', ['clickstream.example.com'], true],
    ['clickstream.example.com.', ['clickstream.example.com'], true],
    ['a.example.com', ['.example.com'], true],
    ['example.com', ['.example.com'], false],
    ['evilexample.com', ['.example.com'], false],
    ['', [], false],
    [undefined, [], false],
    ['localhost:3000@evil.example', [], false],
    ['evil.example/localhost', [], false],
  ] as [string | undefined, string[], boolean][])('%j with %j → %s', (host, allowed, expected) => {
    expect(hostAllowed(host, allowed)).toBe(expected);
  });

  it('reads host names without port or brackets', () => {
    expect(hostnameOf('Example.COM:8080')).toBe('example.com');
    expect(hostnameOf('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(hostnameOf('bad host')).toBeUndefined();
    // No URL can be built from these: a 421 like any other bad Host, not a 500 later.
    expect(hostnameOf('127.0.0.1:99999')).toBeUndefined();
    expect(hostnameOf('[1.2.3.4]')).toBeUndefined();
    expect(hostnameOf('[::1]:70000')).toBeUndefined();
    expect(hostnameOf('[::1]:65535')).toBe('::1');
    expect(hostnameOf('localhost:65535')).toBe('localhost');
  });
});

describe('originMatchesHost', () => {
  it.each([
    ['http://localhost:3000', 'localhost:3000', true],
    ['https://clickstream.example.com', 'clickstream.example.com', true],
    ['http://localhost:3001', 'localhost:3000', false],
    ['http://evil.example', 'localhost:3000', false],
    ['null', 'localhost:3000', false],
    ['file://', 'localhost:3000', false],
    [null, 'localhost:3000', false],
  ] as [string | null, string, boolean][])('%j for %j → %s', (origin, host, expected) => {
    expect(originMatchesHost(origin, host)).toBe(expected);
  });
});

describe('clientAddress', () => {
  it('is the socket peer when the peer is not a trusted proxy, whatever headers say', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.1', [])).toBe('203.0.113.5');
    expect(clientAddress('::ffff:203.0.113.5', undefined, [])).toBe('203.0.113.5');
  });

  it('believes X-Forwarded-For only from a trusted proxy, nearest hop first', () => {
    const proxies = ['10.0.0.2'];
    expect(clientAddress('10.0.0.2', '198.51.100.1', proxies)).toBe('198.51.100.1');
    // A client cannot push its address left of the real one.
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', 'garbage', proxies)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.3', '198.51.100.1', proxies)).toBe('10.0.0.3');
  });
});

describe('throttleKey', () => {
  it('groups IPv6 by /64 and keeps IPv4 whole', () => {
    expect(throttleKey('192.0.2.7')).toBe('192.0.2.7');
    expect(throttleKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(throttleKey('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64');
    expect(throttleKey('2001:db8:0:1:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('bodyVerdict', () => {
  it.each([
    [{}, true],
    [{ 'content-length': '10' }, true],
    [{ 'content-length': '1024' }, true],
    [{ 'content-length': '1025' }, 413],
    [{ 'content-length': '100000000000000000' }, 413],
    [{ 'content-length': 'lots' }, 413],
    [{ 'transfer-encoding': 'chunked' }, 411],
  ] as [Record<string, string>, true | number][])('%j → %s', (headers, expected) => {
    const verdict = bodyVerdict(headers, 1024);
    expect(verdict.ok ? true : verdict.status).toBe(expected);
  });
});

describe('safeNextPath', () => {
  it.each([
    ['/admin', '/admin'],
    ['/checkouts?user=3#top', '/checkouts?user=3#top'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['admin', '/'],
    ['', '/'],
    [undefined, '/'],
    [['/admin'], '/'],
  ] as [unknown, string][])('%j → %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});
