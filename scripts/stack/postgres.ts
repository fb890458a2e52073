// A local PostgreSQL for development and tests, run from Debian's server binaries (no Docker):
// data in .stack/postgres/data, TCP on 127.0.0.1 only (default port 54329, so a system server
// on 5432 is untouched), unix socket inside .stack/postgres. Idempotent; `stopPostgres` only
// ever stops the server of our own data directory.
//
// Authentication: the unix socket is `trust` but only its owner can open it
// (unix_socket_permissions 0700), and TCP uses scram-sha-256, so the superuser `postgres` (no
// password) can only come in through the socket while `clickstream`/`clickstream` logs in over
// TCP. PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres`
// system user (created by the Debian package), which owns .stack/postgres.
import { execFile, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { logger } from '../../lib/log.ts';
import { isPortOpen, tailFile, waitUntil } from './process.ts';

const execFileAsync = promisify(execFile);

export const DEFAULT_POSTGRES_PORT = 54329;
const ROLE = 'clickstream';
const PASSWORD = 'clickstream';
const DATABASE = 'clickstream';
const SUPERUSER = 'postgres';
const SERVER_OS_USER = 'postgres';
const START_TIMEOUT_S = 30;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const MISSING_BINARIES =
  'PostgreSQL server binaries not found: apt-get install postgresql, or set DATABASE_URL to a running server';

export interface EnsurePostgresOptions {
  rootDir: string;
  port?: number;
  log?: (m: string) => void;
  /** The web app's least-privilege login (no CREATEDB); its grants come from the migrator. */
  webRole?: { name: string; password: string };
}

export interface PostgresPaths {
  stackDir: string;
  dataDir: string;
  logFile: string;
  /** Where the server puts its unix socket `.s.PGSQL.<port>`. */
  socketDir: string;
}

export function postgresPaths(rootDir: string): PostgresPaths {
  const stackDir = path.resolve(rootDir, '.stack', 'postgres');
  return {
    stackDir,
    dataDir: path.join(stackDir, 'data'),
    logFile: path.join(stackDir, 'postgres.log'),
    socketDir: stackDir,
  };
}

export function databaseUrlFor(port: number): string {
  return `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** A directory holding initdb, pg_ctl and postgres, or undefined. Newest major version first. */
export function findServerBinDir(): string | undefined {
  const candidates: string[] = [];
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, 'bin')));
  }
  return candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(path.join(dir, bin))),
  );
}

function ensureServerBinDir(log: (m: string) => void): string {
  const found = findServerBinDir();
  if (found) return found;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot() || !hasApt) throw new Error(MISSING_BINARIES);
  log('PostgreSQL server binaries missing: installing Debian package postgresql (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'postgresql'],
  ]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed. ${MISSING_BINARIES}`);
    }
  }
  const installed = findServerBinDir();
  if (!installed) throw new Error(MISSING_BINARIES);
  return installed;
}

/** The uid/gid of the `postgres` system user; the Debian package creates it. */
function serverOsUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, SERVER_OS_USER], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no '${SERVER_OS_USER}' system user to run it as: ` +
        'install the Debian package postgresql (it creates the user), run as a normal user, or set DATABASE_URL',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs a server binary, as the `postgres` user when we are root. Throws with its output on failure. */
async function runServerTool(
  binDir: string,
  tool: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const bin = path.join(binDir, tool);
  const [command, argv] = isRoot()
    ? ['runuser', ['-u', SERVER_OS_USER, '--', bin, ...args]]
    : [bin, args];
  try {
    const { stdout, stderr } = await execFileAsync(command, argv, { cwd, encoding: 'utf8' });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error; // could not spawn at all
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function runServerToolOrThrow(
  binDir: string,
  tool: string,
  args: string[],
  cwd: string,
): Promise<string> {
  const { code, output } = await runServerTool(binDir, tool, args, cwd);
  if (code !== 0)
    throw new Error(`${tool} ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`);
  return output;
}

/**
 * As root, the `postgres` user must be able to reach .stack/postgres: each ancestor directory
 * needs search permission for others. We add only `o+x` (no listing) and say so.
 */
function ensureTraversable(dir: string, log: (m: string) => void): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      log(
        `granting search permission (o+x) on ${d} so the '${SERVER_OS_USER}' user can reach ${dir}`,
      );
      chmodSync(d, (mode & 0o7777) | 0o001);
    }
    if (d === path.dirname(d)) return;
  }
}

function prepareStackDir(paths: PostgresPaths, log: (m: string) => void): void {
  mkdirSync(paths.stackDir, { recursive: true });
  if (!isRoot()) return;
  const { uid, gid } = serverOsUser();
  chownSync(paths.stackDir, uid, gid);
  chmodSync(paths.stackDir, 0o755);
  if (existsSync(paths.logFile)) chownSync(paths.logFile, uid, gid);
  ensureTraversable(paths.stackDir, log);
}

/** Writes a file the server will read, owned by the server's user. */
function writeServerFile(file: string, text: string): void {
  writeFileSync(file, text);
  if (isRoot()) {
    const { uid, gid } = serverOsUser();
    chownSync(file, uid, gid);
  }
}

const quoteConf = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Our settings, rewritten on every start so a changed port or checkout path takes effect. */
function writeServerSettings(paths: PostgresPaths, port: number): void {
  const settings = [
    '# Written by scripts/stack/postgres.ts on every start; edits are lost.',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = ${quoteConf(paths.socketDir)}`,
    // Only the server's OS user (and root) may use the trusted socket.
    'unix_socket_permissions = 0700',
    'max_connections = 200',
    'shared_buffers = 256MB',
    // Kept on: the crash-safety tests kill processes and expect committed rows to survive.
    'fsync = on',
    "log_line_prefix = '%m [%p] '",
    "log_timezone = 'UTC'",
    "timezone = 'UTC'",
  ];
  writeServerFile(path.join(paths.dataDir, 'clickstream.conf'), `${settings.join('\n')}\n`);
}

async function initDataDir(binDir: string, paths: PostgresPaths, log: (m: string) => void) {
  if (existsSync(paths.dataDir)) {
    // No PG_VERSION: an initdb that died half-way. The directory is ours; start over.
    log(`removing incomplete data directory ${paths.dataDir}`);
    rmSync(paths.dataDir, { recursive: true, force: true });
  }
  log(`initdb ${paths.dataDir}`);
  await runServerToolOrThrow(
    binDir,
    'initdb',
    [
      '-D',
      paths.dataDir,
      `--username=${SUPERUSER}`,
      '--encoding=UTF8',
      // C collation: byte order, the order the attribution spec uses for ids.
      '--locale=C',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
    ],
    paths.stackDir,
  );
  appendFileSync(
    path.join(paths.dataDir, 'postgresql.conf'),
    "\n# Local settings for this checkout (scripts/stack/postgres.ts)\ninclude = 'clickstream.conf'\n",
  );
}

/** The port of the running server of this data dir, or undefined when it is not running. */
async function runningServerPort(
  binDir: string,
  paths: PostgresPaths,
): Promise<number | undefined> {
  if (!existsSync(path.join(paths.dataDir, 'PG_VERSION'))) return undefined;
  const { code } = await runServerTool(
    binDir,
    'pg_ctl',
    ['-D', paths.dataDir, 'status'],
    paths.stackDir,
  );
  if (code !== 0) return undefined; // 3: not running
  // postmaster.pid line 4 is the port (see PostgreSQL's pidfile.h).
  const pidLines = readFileSync(path.join(paths.dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = Number.parseInt(pidLines[3] ?? '', 10);
  return Number.isInteger(port) ? port : undefined;
}

function superuserClient(paths: PostgresPaths, port: number, database = 'postgres'): pg.Client {
  return new pg.Client({
    host: paths.socketDir,
    port,
    user: SUPERUSER,
    database,
    connectionTimeoutMillis: 3_000,
  });
}

async function canQuery(client: pg.Client): Promise<boolean> {
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates (or repairs) the application role and database. Cheap enough to run on every start. */
async function ensureRoleAndDatabase(
  paths: PostgresPaths,
  port: number,
  webRole?: EnsurePostgresOptions['webRole'],
): Promise<void> {
  const client = superuserClient(paths, port);
  await client.connect();
  try {
    if (webRole) {
      const known = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [webRole.name]);
      await client.query(
        `${known.rowCount ? 'ALTER' : 'CREATE'} ROLE ${pg.escapeIdentifier(webRole.name)} LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${pg.escapeLiteral(webRole.password)}`,
      );
    }
    const role = pg.escapeIdentifier(ROLE);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await client.query(
      `${verb} ROLE ${role} LOGIN CREATEDB PASSWORD ${pg.escapeLiteral(PASSWORD)}`,
    );
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    // The owner of a PG 15 database owns its `public` schema too (pg_database_owner), which
    // `_prisma_migrations` lives in.
    if (!db.rowCount)
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(DATABASE)} OWNER ${role}`);
  } finally {
    await client.end();
  }
}

/** Starts (initialising on first use) the local PostgreSQL and returns its URL. Idempotent. */
export async function ensurePostgres({
  rootDir,
  port = DEFAULT_POSTGRES_PORT,
  log = () => {},
  webRole,
}: EnsurePostgresOptions): Promise<{ databaseUrl: string; startedByUs: boolean }> {
  const paths = postgresPaths(rootDir);
  const binDir = ensureServerBinDir(log);
  const socketFile = path.join(paths.socketDir, `.s.PGSQL.${port}`);
  if (Buffer.byteLength(socketFile) > MAX_SOCKET_PATH) {
    throw new Error(
      `unix socket path too long for PostgreSQL (${socketFile}); move the checkout to a shorter path or set DATABASE_URL`,
    );
  }
  prepareStackDir(paths, log);

  const runningPort = await runningServerPort(binDir, paths);
  let startedByUs = false;
  let actualPort = port;
  if (runningPort !== undefined) {
    actualPort = runningPort;
    if (runningPort !== port)
      log(`PostgreSQL already running on port ${runningPort} (asked for ${port}); using it`);
    else log(`PostgreSQL already running on 127.0.0.1:${port}`);
  } else {
    if (await isPortOpen('127.0.0.1', port)) {
      throw new Error(
        `port ${port} is in use by another process: stop it, choose another port, or set DATABASE_URL to that server`,
      );
    }
    if (!existsSync(path.join(paths.dataDir, 'PG_VERSION'))) await initDataDir(binDir, paths, log);
    writeServerSettings(paths, port);
    log(`starting PostgreSQL (${path.basename(path.dirname(binDir))}) on 127.0.0.1:${port}`);
    const start = await runServerTool(
      binDir,
      'pg_ctl',
      ['-D', paths.dataDir, '-l', paths.logFile, '-w', '-t', String(START_TIMEOUT_S), 'start'],
      paths.stackDir,
    );
    if (start.code !== 0) {
      throw new Error(
        `PostgreSQL did not start (pg_ctl exit ${start.code}): ${start.output.trim()}\n` +
          `--- last lines of ${paths.logFile} ---\n${tailFile(paths.logFile)}`,
      );
    }
    startedByUs = true;
  }

  try {
    await waitUntil(
      'PostgreSQL accepting connections',
      () => canQuery(superuserClient(paths, actualPort)),
      {
        timeoutMs: START_TIMEOUT_S * 1_000,
      },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n--- last lines of ${paths.logFile} ---\n${tailFile(paths.logFile)}`,
    );
  }
  await ensureRoleAndDatabase(paths, actualPort, webRole);

  const databaseUrl = databaseUrlFor(actualPort);
  // The application's own path in: TCP with the password.
  await canQuery(new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 }));
  return { databaseUrl, startedByUs };
}

/**
 * Stops the server of our data dir: `fast` by default; `immediate` is a crash (recovery on the next
 * start), as the fault tests want. Returns false when it was not running.
 */
export async function stopPostgres(
  rootDir: string,
  log: (m: string) => void = () => {},
  mode: 'fast' | 'immediate' = 'fast',
): Promise<boolean> {
  const paths = postgresPaths(rootDir);
  if (!existsSync(path.join(paths.dataDir, 'PG_VERSION'))) return false;
  const binDir = findServerBinDir();
  if (!binDir) throw new Error(MISSING_BINARIES);
  if ((await runningServerPort(binDir, paths)) === undefined) return false;
  log(`stopping PostgreSQL (${mode})`);
  await runServerToolOrThrow(
    binDir,
    'pg_ctl',
    ['-D', paths.dataDir, '-m', mode, '-w', '-t', '60', 'stop'],
    paths.stackDir,
  );
  return true;
}

async function main(): Promise<void> {
  const command = process.argv[2];
  const rootDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const postgresLog = logger('stack').child({ service: 'postgres' });
  const log = (m: string) => postgresLog.info(m);
  const started = Date.now();
  if (command === 'up') {
    const { databaseUrl, startedByUs } = await ensurePostgres({ rootDir, log });
    log(`${startedByUs ? 'started' : 'already up'}: ${databaseUrl} (${Date.now() - started} ms)`);
  } else if (command === 'down') {
    const stopped = await stopPostgres(rootDir, log);
    log(stopped ? `stopped (${Date.now() - started} ms)` : 'not running');
  } else {
    throw new Error(`usage: tsx scripts/stack/postgres.ts up|down (got ${command ?? 'nothing'})`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    // The CLI's answer to the person who ran it (its progress above is logged).
    console.error(`[postgres] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
