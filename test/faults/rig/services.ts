// A Kafka broker and a PostgreSQL cluster of the fault tests' own: started from the binaries the
// stack scripts use (scripts/stack/kafka.ts, postgres.ts) on free ports, with their data under
// .stack/faults/<id>/ (each laid out as a project root: .stack/kafka, .stack/postgres). The tests
// kill and stop them at will; the shared stack that other tests use is never touched.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../../lib/config.ts';
import { CONTROLLER_PORT_OFFSET, ensureKafka, kafkaPaths } from '../../../scripts/stack/kafka.ts';
import { ensurePostgres, postgresPaths, stopPostgres } from '../../../scripts/stack/postgres.ts';
import { isProcessAlive, readLivePid } from '../../../scripts/stack/pid-files.ts';
import { waitUntil } from '../../../scripts/stack/process.ts';

export const faultsDir = path.join(projectRoot, '.stack', 'faults');
/** Application name of the rig's own connections: never matched by `clickstream%`. */
export const RIG_APPLICATION_NAME = 'fault-rig';

export interface FaultServices {
  /** This rig's folder: broker and cluster data and logs. */
  root: string;
  kafkaBrokers: string;
  /** The cluster's `clickstream` database (role clickstream over TCP). */
  databaseUrl: string;
  /** kill -9 of the broker; resolves once the process is gone. */
  killBroker(): Promise<void>;
  /** Starts the broker again on the same port and data, and waits until it answers. */
  startBroker(): Promise<void>;
  /** pg_ctl stop in the given mode (`immediate` is a crash: recovery on the next start). */
  stopDatabase(mode: 'fast' | 'immediate'): Promise<void>;
  startDatabase(): Promise<void>;
  /**
   * pg_terminate_backend on every backend whose application_name is LIKE `pattern`: how many,
   * and how many of them were busy (running a query or inside a transaction).
   */
  terminateConnections(pattern: string): Promise<{ terminated: number; busy: number }>;
  /** Stops both (no grace: the data is thrown away) and removes the folder unless `keep`. */
  teardown(options: { keep: boolean }): Promise<void>;
}

/** A TCP port nobody listens on now, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A broker port whose controller port (port + CONTROLLER_PORT_OFFSET) is free too. */
async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    const controller = port + CONTROLLER_PORT_OFFSET;
    if (controller <= 65_535 && (await isFree(controller))) return port;
  }
  throw new Error('no free pair of ports for the fault-test broker');
}

/** Whether the broker or the database of the rig folder `root` still runs. */
function rigRunning(root: string): boolean {
  const kafka = kafkaPaths(root);
  const postmaster = path.join(postgresPaths(root).dataDir, 'postmaster.pid');
  const postgresPid = existsSync(postmaster)
    ? Number.parseInt(readFileSync(postmaster, 'utf8'), 10)
    : undefined;
  return (
    readLivePid(kafka.pidFile, kafka.propertiesFile) !== undefined ||
    (postgresPid !== undefined && postgresPid > 0 && isProcessAlive(postgresPid))
  );
}

/**
 * Removes the folders of finished rigs (failed runs keep theirs for a look): all but the
 * newest few, and any older than a day. A folder younger than ten minutes may belong to a run
 * that is still starting (another engineer's, in this same tree), so it is left alone.
 */
function pruneFinishedRigs(): void {
  if (!existsSync(faultsDir)) return;
  const now = Date.now();
  const rigs = readdirSync(faultsDir)
    .map((name) => ({
      root: path.join(faultsDir, name),
      mtime: statSync(path.join(faultsDir, name)).mtimeMs,
    }))
    .sort((a, b) => b.mtime - a.mtime);
  rigs.forEach(({ root, mtime }, newest) => {
    const expendable = now - mtime > 24 * 3_600_000 || (newest >= 4 && now - mtime > 600_000);
    if (expendable && !rigRunning(root)) rmSync(root, { recursive: true, force: true });
  });
}

export async function startFaultServices(log: (line: string) => void): Promise<FaultServices> {
  pruneFinishedRigs();
  const root = path.join(
    faultsDir,
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
  );
  mkdirSync(root, { recursive: true });
  // The shared stack's jars: resolved once by `npm run stack:up` (or here, when it used a remote broker).
  const libsDir = kafkaPaths(projectRoot).libsDir;
  const kafkaPort = await freeBrokerPort();
  const postgresPort = await freePort();
  const quiet = (line: string) => log(`[rig] ${line}`);

  const startBroker = async () => {
    await ensureKafka({ rootDir: root, port: kafkaPort, libsDir, log: quiet });
  };
  const startDatabase = async () =>
    (await ensurePostgres({ rootDir: root, port: postgresPort, log: quiet })).databaseUrl;
  const brokerPid = () => {
    const paths = kafkaPaths(root, undefined, libsDir);
    return readLivePid(paths.pidFile, paths.propertiesFile);
  };
  const killBroker = async () => {
    const pid = brokerPid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await waitUntil(`broker pid ${pid} gone`, () => !isProcessAlive(pid), { timeoutMs: 10_000 });
  };

  let databaseUrl = '';
  try {
    [, databaseUrl] = await Promise.all([startBroker(), startDatabase()]);
  } catch (error) {
    await killBroker().catch(() => undefined);
    await stopPostgres(root, quiet, 'immediate').catch(() => undefined);
    throw error;
  }

  return {
    root,
    kafkaBrokers: `127.0.0.1:${kafkaPort}`,
    databaseUrl,
    killBroker,
    startBroker,
    startDatabase: async () => {
      await startDatabase();
    },
    stopDatabase: async (mode) => {
      await stopPostgres(root, quiet, mode);
    },
    terminateConnections: async (pattern) => {
      const client = new pg.Client({
        connectionString: databaseUrl,
        application_name: RIG_APPLICATION_NAME,
      });
      await client.connect();
      try {
        const { rows } = await client.query<{ terminated: number; busy: number }>(
          `SELECT count(*)::int AS terminated, count(*) FILTER (WHERE state <> 'idle')::int AS busy
             FROM pg_stat_activity
            WHERE application_name LIKE $1 AND pid <> pg_backend_pid()
              AND pg_terminate_backend(pid)`,
          [pattern],
        );
        return rows[0] ?? { terminated: 0, busy: 0 };
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    teardown: async ({ keep }) => {
      await killBroker().catch((error: unknown) => quiet(`could not kill the broker: ${error}`));
      await stopPostgres(root, quiet, 'immediate').catch((error: unknown) =>
        quiet(`could not stop PostgreSQL: ${error}`),
      );
      if (keep) quiet(`kept ${root} (broker and database logs) for a look`);
      else rmSync(root, { recursive: true, force: true });
    },
  };
}
