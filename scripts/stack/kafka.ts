// A single-node Kafka broker (KRaft, combined broker + controller) run from Maven Central jars,
// no Docker: resolve jars once into .stack/kafka/libs-<version>, format storage once, start
// detached. Invariant: stopKafka only ever signals the pid in our own pid file.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createKafka } from '../../lib/kafka/client.ts';
import { createLogger, logger } from '../../lib/log.ts';
import { isProcessAlive, readLivePid, stopProcess } from './pid-files.ts';
import { isPortOpen, startDetached, tailFile, waitUntil } from './process.ts';

/**
 * Newest 4.x on Maven Central when written. kafkajs 2.2.4 was checked against it: produce,
 * consumer-group consume, admin createTopics / fetchOffsets (lib/kafka/kafka.integration.test.ts).
 */
export const DEFAULT_KAFKA_VERSION = '4.4.0';
export const DEFAULT_KAFKA_PORT = 9092;
/** The KRaft controller listens on loopback at broker port + this (9092 -> 10092). */
export const CONTROLLER_PORT_OFFSET = 1000;

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;
const HOST = '127.0.0.1';
const START_MARKER = '===== starting Kafka';
/** pom.xml and log4j2.xml, beside this file (not under rootDir, which may be a scratch folder). */
const runtimeDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'kafka-runtime');

export interface EnsureKafkaOptions {
  rootDir: string;
  port?: number;
  version?: string;
  /**
   * Where the jars are (default `<rootDir>/.stack/kafka/libs-<version>`): a second broker, such as
   * the fault tests' own, shares the first one's instead of resolving them again.
   */
  libsDir?: string;
  log?: (msg: string) => void;
}

export interface KafkaInfo {
  brokers: string;
  /** The broker answering is the one in our pid file (so stopKafka would stop it). */
  startedByUs: boolean;
  /** This call started it (false when it was already running). */
  startedNow: boolean;
}

/** Where everything of the local broker lives, under <rootDir>/.stack/kafka. */
export function kafkaPaths(rootDir: string, version = DEFAULT_KAFKA_VERSION, libsDir?: string) {
  const dir = path.join(rootDir, '.stack', 'kafka');
  return {
    dir,
    libsDir: libsDir ?? path.join(dir, `libs-${version}`),
    dataDir: path.join(dir, 'data'),
    logFile: path.join(dir, 'kafka.log'),
    pidFile: path.join(dir, 'kafka.pid'),
    propertiesFile: path.join(dir, 'server.properties'),
    runtimeDir,
  };
}

/** Starts the local broker unless a Kafka broker already answers on 127.0.0.1:port. Idempotent. */
export async function ensureKafka(opts: EnsureKafkaOptions): Promise<KafkaInfo> {
  const { rootDir, port = DEFAULT_KAFKA_PORT, version = DEFAULT_KAFKA_VERSION } = opts;
  const log = opts.log ?? (() => {});
  const paths = kafkaPaths(rootDir, version, opts.libsDir);
  const brokers = `${HOST}:${port}`;

  const runningPid = readLivePid(paths.pidFile, paths.propertiesFile);
  if (runningPid !== undefined) {
    // Ours, maybe still starting (another command started it a moment ago): wait for it.
    await waitForBroker(brokers, paths, runningPid);
    log(`Kafka: already running at ${brokers} (pid ${runningPid})`);
    return { brokers, startedByUs: true, startedNow: false };
  }
  if (await isPortOpen(HOST, port)) {
    // Give a broker that is itself still starting a few seconds before calling it foreign junk.
    const isKafka = await waitUntil('probe', () => kafkaAnswers(brokers), {
      timeoutMs: 5_000,
    }).then(
      () => true,
      () => false,
    );
    if (isKafka) {
      log(`Kafka: a broker not started by this project already answers at ${brokers}; using it`);
      return { brokers, startedByUs: false, startedNow: false };
    }
    throw new Error(
      `Port ${port} on ${HOST} is taken by something that is not a Kafka broker: free it, or set KAFKA_BROKERS to an existing cluster.`,
    );
  }
  const controllerPort = port + CONTROLLER_PORT_OFFSET;
  if (await isPortOpen(HOST, controllerPort)) {
    throw new Error(
      `Port ${controllerPort} (the local broker's KRaft controller port, broker port + ${CONTROLLER_PORT_OFFSET}) is taken: free it or choose another broker port.`,
    );
  }

  const javaMajor = requireJava();
  ensureKafkaJars(paths, version, log);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(
    paths.propertiesFile,
    serverProperties({ port, controllerPort, dataDir: paths.dataDir }),
  );
  formatStorageOnce(paths, log);

  rotateLog(paths.logFile);
  const started = Date.now();
  appendFileSync(
    paths.logFile,
    `\n${START_MARKER} ${version} (Java ${javaMajor}) at ${new Date().toISOString()}\n`,
  );
  const pid = startDetached({
    command: 'java',
    args: [...jvmArgs(paths), 'kafka.Kafka', paths.propertiesFile],
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    cwd: paths.dir,
  });
  log(`Kafka ${version}: started pid ${pid}, waiting for ${brokers} (log: ${paths.logFile})`);
  await waitForBroker(brokers, paths, pid);
  log(`Kafka: ready at ${brokers} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { brokers, startedByUs: true, startedNow: true };
}

/** Stops the broker this project started (pid file); does nothing when it is not running. */
export async function stopKafka(
  rootDir: string,
  log: (msg: string) => void = () => {},
): Promise<boolean> {
  const paths = kafkaPaths(rootDir);
  // SIGTERM runs Kafka's controlled shutdown (flushes logs, writes clean-shutdown markers), so the
  // next start skips log recovery; SIGKILL only if that hangs.
  const stopped = await stopProcess(paths.pidFile, {
    marker: paths.propertiesFile,
    graceMs: STOP_GRACE_MS,
    log,
  });
  log(stopped ? 'Kafka: stopped' : 'Kafka: not running (nothing to stop)');
  return stopped;
}

/** True when a Kafka broker answers a metadata request at `brokers`. */
export async function kafkaAnswers(brokers: string): Promise<boolean> {
  const kafka = createKafka({
    brokers,
    clientId: 'clickstream-stack-probe',
    log: createLogger({ level: 'silent' }), // a refused probe is an answer, not news
    retry: { retries: 0 }, // one quick attempt: callers poll
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitForBroker(
  brokers: string,
  paths: ReturnType<typeof kafkaPaths>,
  pid: number,
): Promise<void> {
  const [host = HOST, port = ''] = brokers.split(':');
  const answers = async () =>
    (await isPortOpen(host, Number(port))) && (await kafkaAnswers(brokers));
  try {
    await waitUntil(`Kafka at ${brokers}`, answers, {
      timeoutMs: STARTUP_TIMEOUT_MS,
      intervalMs: 500,
      abortIf: () => (isProcessAlive(pid) ? undefined : 'the broker process exited'),
    });
  } catch (error) {
    const exited = !isProcessAlive(pid);
    if (exited) rmSync(paths.pidFile, { force: true });
    // Only this start's lines: earlier runs' shutdown chatter would bury the cause.
    const tail = tailFile(paths.logFile, 200);
    const thisRun = tail.slice(tail.lastIndexOf(START_MARKER)).split('\n').slice(-40).join('\n');
    throw new Error(
      `${(error as Error).message}.\n--- last lines of ${paths.logFile} ---\n${thisRun}\n---\n` +
        'Read the log above for the cause. ' +
        (exited
          ? ''
          : 'Stop the half-started broker with `npx tsx scripts/stack/kafka.ts down`. ') +
        'If the storage is damaged, delete .stack/kafka/data and start again (its topics are lost); ' +
        'or set KAFKA_BROKERS to an existing cluster.',
    );
  }
}

/** Java's major version (17 for "17.0.15", 8 for "1.8.0_392"); throws when Java is missing or < 17. */
function requireJava(): number {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const text = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (result.error || major < 17) {
    throw new Error(
      `Java 17+ not found${major > 0 ? ` (found Java ${major})` : ''}: install a JDK (e.g. apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS to an existing cluster`,
    );
  }
  return major;
}

/** Copies kafka_2.13:<version> and its runtime jars into libsDir, once; an interrupted copy is redone. */
function ensureKafkaJars(
  paths: ReturnType<typeof kafkaPaths>,
  version: string,
  log: (msg: string) => void,
): void {
  if (existsSync(path.join(paths.libsDir, `kafka_2.13-${version}.jar`))) return;
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new Error(
      'Maven (mvn) not found: it fetches the Kafka jars from Maven Central once. Install it (e.g. apt-get install maven) or set KAFKA_BROKERS to an existing cluster',
    );
  }
  // Resolve into a scratch folder and rename: a half-copied folder never looks complete.
  const partial = `${paths.libsDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  log(`Kafka ${version}: fetching jars from Maven Central into ${paths.libsDir} (once)`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      path.join(paths.runtimeDir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${partial}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0 || !existsSync(path.join(partial, `kafka_2.13-${version}.jar`))) {
    throw new Error(
      `mvn could not resolve org.apache.kafka:kafka_2.13:${version} (exit ${result.status}):\n` +
        `${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-20).join('\n')}`,
    );
  }
  rmSync(paths.libsDir, { recursive: true, force: true });
  renameSync(partial, paths.libsDir);
}

/** Keeps one previous log (kafka.log.1) once the log passes 20 MB, so it cannot grow forever. */
function rotateLog(logFile: string): void {
  if (existsSync(logFile) && statSync(logFile).size > 20 * 1024 * 1024) {
    renameSync(logFile, `${logFile}.1`);
  }
}

/** Single-node KRaft: one process is both broker and the only controller voter. */
export function serverProperties(opts: {
  port: number;
  controllerPort: number;
  dataDir: string;
}): string {
  const { port, controllerPort, dataDir } = opts;
  return `# Written by scripts/stack/kafka.ts on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${controllerPort}
listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}
advertised.listeners=PLAINTEXT://${HOST}:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}

# Topics are created explicitly (lib/kafka/topics.ts) with the partition count the design needs.
auto.create.topics.enable=false
num.partitions=6

# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
# Fewer than the default 50: the first consumer group joins faster on a small machine.
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests and the demo start consumers one by one; do not wait 3 s for more members to join.
group.initial.rebalance.delay.ms=0
`;
}

function jvmArgs(paths: ReturnType<typeof kafkaPaths>): string[] {
  return [
    '-Xms256m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(paths.runtimeDir, 'log4j2.xml')}`,
    '-cp',
    `${paths.libsDir}/*`,
  ];
}

/**
 * A random cluster id in Kafka's Uuid text form (16 bytes, base64url). Like Kafka's own
 * Uuid.randomUuid, never one that starts with '-': the storage tool's argument parser takes such
 * an id for an option and refuses to format (1 start in 64 failed that way).
 */
export function newClusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft log directory on first start (a fresh random cluster id); no-op afterwards. */
function formatStorageOnce(paths: ReturnType<typeof kafkaPaths>, log: (msg: string) => void): void {
  if (existsSync(path.join(paths.dataDir, 'meta.properties'))) return;
  const clusterId = newClusterId();
  log(`Kafka: formatting ${paths.dataDir} (cluster id ${clusterId})`);
  const result = spawnSync(
    'java',
    [
      ...jvmArgs(paths),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      paths.propertiesFile,
    ],
    { encoding: 'utf8' },
  );
  appendFileSync(paths.logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) {
    throw new Error(
      `Formatting Kafka storage failed (exit ${result.status}):\n${tailFile(paths.logFile, 20)}`,
    );
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const rootDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const kafkaLog = logger('stack').child({ service: 'kafka' });
  const log = (msg: string) => kafkaLog.info(msg);
  const versionIndex = rest.indexOf('--version');
  const version = versionIndex >= 0 ? rest[versionIndex + 1] : undefined;
  if (command === 'up') {
    const info = await ensureKafka({ rootDir, log, ...(version ? { version } : {}) });
    log(`brokers=${info.brokers} startedByUs=${info.startedByUs} startedNow=${info.startedNow}`);
  } else if (command === 'down') {
    await stopKafka(rootDir, log);
  } else {
    throw new Error(
      `usage: npx tsx scripts/stack/kafka.ts up [--version X.Y.Z] | down (got ${command ?? 'nothing'})`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    // The CLI's answer to the person who ran it (its progress above is logged).
    console.error(`[kafka] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
