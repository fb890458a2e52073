import { describe, expect, it } from 'vitest';
import {
  assertTestDatabaseName,
  databaseNameOf,
  dropTestDatabase,
  NotATestDatabaseError,
  truncateTestDatabase,
  withDatabaseName,
} from './test-database.ts';

// Port 1 on loopback: nothing listens, so reaching the server would fail differently.
const unreachable = 'postgresql://clickstream:clickstream@127.0.0.1:1';

describe('the test-database guard', () => {
  it.each([
    'clickstream',
    'postgres',
    'template1',
    'clickstream_prod',
    'my_clickstream_test_x',
    '',
    'clickstream_test',
  ])('refuses %j', (name) => {
    expect(() => assertTestDatabaseName(name)).toThrow(NotATestDatabaseError);
  });

  it.each(['clickstream_test_1a2b3c', 'clickstream_test_abc_def'])('accepts %j', (name) => {
    expect(() => assertTestDatabaseName(name)).not.toThrow();
  });

  it('refuses names that only look right before quoting', () => {
    expect(() =>
      assertTestDatabaseName('clickstream_test_x"; DROP DATABASE clickstream; --'),
    ).toThrow(NotATestDatabaseError);
    expect(() => assertTestDatabaseName('CLICKSTREAM_TEST_X')).toThrow(NotATestDatabaseError);
  });

  it('dropTestDatabase refuses a non-test name before connecting', async () => {
    await expect(dropTestDatabase(`${unreachable}/postgres`, 'clickstream')).rejects.toThrow(
      NotATestDatabaseError,
    );
  });

  it('truncateTestDatabase refuses a URL naming a non-test database before connecting', async () => {
    await expect(truncateTestDatabase(`${unreachable}/clickstream`)).rejects.toThrow(
      NotATestDatabaseError,
    );
  });
});

describe('database URLs', () => {
  it('reads and replaces the database name, keeping credentials and parameters', () => {
    const base = 'postgresql://u:p%40ss@127.0.0.1:54329/clickstream?schema=public';
    expect(databaseNameOf(base)).toBe('clickstream');
    const test = withDatabaseName(base, 'clickstream_test_ab12');
    expect(test).toBe('postgresql://u:p%40ss@127.0.0.1:54329/clickstream_test_ab12?schema=public');
    expect(databaseNameOf(test)).toBe('clickstream_test_ab12');
  });
});
