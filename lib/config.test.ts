import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, parseConfig, readEnvFile } from './config.ts';

describe('parseConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(config.PORT).toBe(3000);
    expect(config.TOPIC_PARTITIONS).toBe(6);
    expect(config.ALLOWED_LATENESS_MS).toBe(15_000);
    expect(config.MAX_FUTURE_SKEW_MS).toBe(60_000);
    expect(config.DATABASE_URL).toMatch(/^postgresql:\/\/.*:54329\//);
  });

  it('is closed to strangers by default: loopback binds, no extra host names', () => {
    const config = parseConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.METRICS_HOST).toBe('127.0.0.1');
    expect(config.ALLOWED_HOSTS).toBe('');
    expect(config.TRUSTED_PROXIES).toBe('');
    expect(config.PUBLIC_DASHBOARD).toBe(true);
    expect(parseConfig({ PUBLIC_DASHBOARD: 'false' }).PUBLIC_DASHBOARD).toBe(false);
    expect(parseConfig({ TRUSTED_PROXIES: '10.0.0.1, ::1' }).TRUSTED_PROXIES).toBe('10.0.0.1, ::1');
  });

  it('coerces numbers and treats empty strings as unset', () => {
    const config = parseConfig({ PORT: '8080', ADMIN_TOKEN: '', ALLOWED_LATENESS_MS: '0' });
    expect(config.PORT).toBe(8080);
    expect(config.ADMIN_TOKEN).toBeUndefined();
    expect(config.ALLOWED_LATENESS_MS).toBe(0);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TOPIC_PARTITIONS', '0'],
    ['KAFKA_BROKERS', 'localhost'],
    ['DATABASE_URL', 'mysql://x'],
    ['ADMIN_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_FUTURE_SKEW_MS', '-1'],
    ['PUBLIC_DASHBOARD', 'maybe'],
    ['TRUSTED_PROXIES', '10.0.0.1, proxy.local'],
    ['WEB_DATABASE_URL', 'mysql://x'],
    ['ALLOWED_HOSTS', 'a.example, *'],
  ])('names the bad variable %s=%s', (name, value) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${name}=${JSON.stringify(value)}`);
  });
});

describe('.env.example', () => {
  it('lists every variable of the schema, and only those', () => {
    const example = readEnvFile(new URL('../.env.example', import.meta.url).pathname);
    expect(Object.keys(example).sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('holds values the schema accepts', () => {
    expect(() =>
      parseConfig(readEnvFile(new URL('../.env.example', import.meta.url).pathname)),
    ).not.toThrow();
  });
});

describe('readEnvFile', () => {
  it('reads a dotenv file: comments, quotes, inline comments', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'env-file-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, '# a comment\nA=1\nB=\'x # y\'\nC=v # inline\n  D = "p=q"  \nexport E=e\n');
    try {
      expect(readEnvFile(file)).toEqual({ A: '1', B: 'x # y', C: 'v', D: 'p=q', E: 'e' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads nothing from a missing file', () => {
    expect(readEnvFile('/nonexistent/.env')).toEqual({});
  });
});
