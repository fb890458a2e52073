// user_id → username for enrichment: a bounded (LRU) in-memory copy of commerce.users, kept
// fresh by LISTEN on the channel the users trigger notifies (see the init migration and
// user-listener.ts), so a rename shows up in checkouts processed milliseconds later. Ids the
// copy lacks are looked up in one query per batch before the batch is processed. Invariants:
// - an id no integer column can hold (commerce.users.id is Prisma `Int`, a PostgreSQL integer)
//   is an unknown user without a query: no user_id the parser accepts can fail a lookup;
// - every read carries the sequence number of its query, and an entry is never overwritten by
//   an older read: a slow lookup cannot undo the read a later notification triggered;
// - after each reconnect of the listener, and every resyncIntervalMs, the cached names are read
//   again: a notification lost with its connection costs at most one resync interval.
import { LRUCache } from 'lru-cache';
import type { PrismaClient } from '../../lib/db/client.ts';
import { describeError } from '../../lib/faults/error-kinds.ts';
import { retryTransient } from '../../lib/faults/retry.ts';
import { logger } from '../../lib/log.ts';
import type { DependencyHealth } from './dependency-health.ts';
import { UserListener } from './user-listener.ts';

export { USERS_CHANNEL } from './user-listener.ts';

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
/** Ids per lookup query, so a resync of a full cache is many small queries, not one huge one. */
const QUERY_CHUNK = 10_000;

/** Whether `id` could be a row of commerce.users at all (an `integer` column). */
export function fitsUserIdColumn(id: number): boolean {
  return Number.isInteger(id) && id >= INT4_MIN && id <= INT4_MAX;
}

export interface UserDirectoryOptions {
  /** Where transient database failures are reported ('postgres', 'user …'). */
  health?: DependencyHealth;
  /** Names kept in memory; the least recently used are forgotten (and read again on use). */
  maxNames?: number;
  /** Ids remembered as absent, each for missRecheckMs. */
  maxMissing?: number;
  /** An absent id is looked up again after this long (it may have been inserted since). */
  missRecheckMs?: number;
  /** How often the cached names are read again and the LISTEN connection probed; 0 = never. */
  resyncIntervalMs?: number;
  /** A LISTEN connection that does not answer a probe within this long is replaced. */
  probeTimeoutMs?: number;
  /** TCP keepalive on the LISTEN connection starts after this much silence. */
  keepAliveInitialDelayMs?: number;
  /** The LISTEN connection's application_name in pg_stat_activity. */
  applicationName?: string;
  log?: (msg: string) => void;
}

interface UserRow {
  id: number;
  username: string;
}
interface Known {
  name: string;
  seq: number;
}
interface Missing {
  checkedAt: number;
  seq: number;
}

export class UserDirectory {
  private readonly names: LRUCache<number, Known>;
  /** Ids known to be absent, with when that was checked. */
  private readonly missing: LRUCache<number, Missing>;
  /** What the last prefetch resolved, so a batch with more users than maxNames still resolves. */
  private batchNames = new Map<number, string>();
  private readonly o: Required<Omit<UserDirectoryOptions, 'health'>> & {
    health?: DependencyHealth;
  };
  private readonly abort = new AbortController();
  private readonly listener: UserListener;
  private seq = 0;
  private stopping = false;
  /** A background failure that is not transient: thrown by the next prefetch. */
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private draining: Promise<void> | undefined;
  private readonly notified = new Set<number>();
  /** The start: LISTEN and the first read of the names. */
  private started: Promise<void> | undefined;

  constructor(
    private readonly db: PrismaClient,
    /** For the LISTEN connection only (user-listener.ts: Prisma cannot hold one open). */
    databaseUrl: string,
    options: UserDirectoryOptions = {},
  ) {
    this.o = {
      health: options.health,
      maxNames: options.maxNames ?? 1_000_000,
      maxMissing: options.maxMissing ?? 100_000,
      missRecheckMs: options.missRecheckMs ?? 1_000,
      resyncIntervalMs: options.resyncIntervalMs ?? 60_000,
      probeTimeoutMs: options.probeTimeoutMs ?? 5_000,
      keepAliveInitialDelayMs: options.keepAliveInitialDelayMs ?? 10_000,
      applicationName: options.applicationName ?? 'clickstream-user-listener',
      log: options.log ?? ((msg) => logger('user-directory').warn(msg)),
    };
    // Bounded by a size of one per entry, not by `max`: given `max`, lru-cache allocates all
    // its slots at once, and a million names cost the worker ~0.25 s of CPU at every start,
    // before its first event. The same bound and the same least-recently-used eviction.
    this.names = new LRUCache({ maxSize: this.o.maxNames, sizeCalculation: () => 1 });
    this.missing = new LRUCache({ maxSize: this.o.maxMissing, sizeCalculation: () => 1 });
    this.listener = new UserListener({
      databaseUrl,
      applicationName: this.o.applicationName,
      keepAliveInitialDelayMs: this.o.keepAliveInitialDelayMs,
      // At most a second between attempts: while nobody listens, renames are only caught by
      // the resync after reconnecting, and one connection attempt a second costs little.
      retrying: (attempt) => this.retrying('user listener', attempt, 1_000),
      onNotification: (payload) => this.onNotification(payload),
      onLost: (description) => {
        if (this.o.health) this.o.health.retrying('postgres', 'user listener', description);
        else this.o.log(`${description}; reconnecting`);
      },
      // Notifications sent while nobody listened are lost: read the cached names again.
      onRelistening: () => this.requestResync(true),
      onFailed: (error) => this.fail(error),
    });
  }

  /**
   * LISTENs, then reads the names. The worker joins its consumer groups meanwhile: a prefetch
   * made before the names are in waits for them.
   */
  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  private async load(): Promise<void> {
    await this.listener.start();
    // Load after LISTEN so no change between the two is missed.
    const { rows, seq } = await this.retrying('user lookup', async () => {
      const seq = ++this.seq;
      const rows: UserRow[] = await this.db.user.findMany({
        select: { id: true, username: true },
        orderBy: { id: 'asc' },
        take: this.o.maxNames,
      });
      return { rows, seq };
    });
    this.apply(
      rows.map((r) => r.id),
      rows,
      seq,
      Date.now(),
    );
    if (this.o.resyncIntervalMs > 0) {
      this.timer = setInterval(() => this.tick(), this.o.resyncIntervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.abort.abort();
    await this.listener.stop();
    await Promise.allSettled([this.resyncing, this.draining]);
  }

  /** The name, or undefined for a user that does not exist (as of the last look). */
  nameOf(userId: number): string | undefined {
    return this.names.peek(userId)?.name ?? this.batchNames.get(userId);
  }

  /**
   * Looks up the ids not in memory (and not found absent in the last missRecheckMs), retrying
   * transient database failures until they pass. Afterwards nameOf answers for every id given.
   */
  async prefetch(userIds: Iterable<number>, now = Date.now()): Promise<void> {
    await this.started;
    if (this.failure) throw this.failure;
    const batch = new Map<number, string>();
    const toLoad: number[] = [];
    for (const id of new Set(userIds)) {
      if (!fitsUserIdColumn(id)) continue;
      const known = this.names.get(id); // a use: the most recently used are kept
      if (known) {
        batch.set(id, known.name);
        continue;
      }
      const missing = this.missing.peek(id);
      if (missing !== undefined && now - missing.checkedAt < this.o.missRecheckMs) continue;
      toLoad.push(id);
    }
    if (toLoad.length > 0) {
      for (const [id, name] of await this.read(toLoad, 'user lookup', now)) {
        if (name !== undefined) batch.set(id, name);
      }
    }
    this.batchNames = batch;
  }

  /** Names in memory (at most maxNames). */
  get size(): number {
    return this.names.size;
  }

  /** Ids remembered as absent (at most maxMissing). */
  get missingSize(): number {
    return this.missing.size;
  }

  /** Reads `ids` in chunks and applies each read; the resulting name of each id. */
  private async read(
    ids: number[],
    operation: string,
    now = Date.now(),
  ): Promise<Map<number, string | undefined>> {
    const out = new Map<number, string | undefined>();
    for (let i = 0; i < ids.length; i += QUERY_CHUNK) {
      const chunk = ids.slice(i, i + QUERY_CHUNK);
      const { rows, seq } = await this.retrying(operation, async () => {
        const seq = ++this.seq; // per attempt: a retry reads later than the first try
        // One array parameter (`= ANY`), not the typed API's `IN ($1, … $10000)`: one plan and
        // one bind value however many ids a resync reads.
        const rows = await this.db.$queryRaw<UserRow[]>`
          SELECT id, username FROM commerce.users WHERE id = ANY(${chunk}::int4[])`;
        return { rows, seq };
      });
      for (const [id, name] of this.apply(chunk, rows, seq, now)) out.set(id, name);
    }
    return out;
  }

  /** Records read `seq` of `ids` (`rows` are those found), except where a newer read is held. */
  private apply(
    ids: number[],
    rows: UserRow[],
    seq: number,
    now: number,
  ): Map<number, string | undefined> {
    const found = new Map(rows.map((r) => [r.id, r.username]));
    const out = new Map<number, string | undefined>();
    for (const id of ids) {
      const known = this.names.peek(id);
      const missing = known ? undefined : this.missing.peek(id);
      if ((known?.seq ?? missing?.seq ?? -1) > seq) {
        out.set(id, known?.name);
        continue;
      }
      const name = found.get(id);
      out.set(id, name);
      if (name !== undefined) {
        // In place when cached: a refresh is not a use, so it must not reorder the LRU.
        if (known) Object.assign(known, { name, seq });
        else {
          this.missing.delete(id);
          this.names.set(id, { name, seq });
        }
      } else {
        if (known) this.names.delete(id);
        if (missing) Object.assign(missing, { checkedAt: now, seq });
        else this.missing.set(id, { checkedAt: now, seq });
      }
    }
    return out;
  }

  private async retrying<T>(
    operation: string,
    run: () => Promise<T>,
    maxTimeoutMs?: number,
  ): Promise<T> {
    const result = await retryTransient(run, {
      what: operation,
      signal: this.abort.signal,
      maxTimeoutMs,
      onTransient: (_error, attempt, description) => {
        if (this.o.health) this.o.health.retrying('postgres', operation, description);
        else if (attempt === 1) this.o.log(`${description}; retrying with backoff`);
      },
    });
    this.o.health?.recovered('postgres', operation);
    return result;
  }

  /** Reads every cached name again; `again`: also after a resync already under way. */
  private requestResync(again: boolean): void {
    if (this.resyncing) {
      if (again) this.resyncAgain = true;
      return;
    }
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        await this.read([...this.names.keys()], 'user resync');
      } while (this.resyncAgain && !this.stopping);
    })()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.resyncing = undefined;
      });
  }

  private onNotification(payload: string | undefined): void {
    const id = Number(payload);
    if (!fitsUserIdColumn(id)) return;
    // Read even when not cached: a lookup of it may be in flight, and this read is newer.
    this.notified.add(id);
    this.draining ??= (async () => {
      while (this.notified.size > 0 && !this.stopping) {
        const ids = [...this.notified];
        this.notified.clear();
        await this.read(ids, 'user lookup');
      }
    })()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Periodic: resync (catches what a silently dropped connection missed) and probe it. */
  private tick(): void {
    if (!this.listener.listening) return; // reconnecting: it resyncs once connected
    this.requestResync(false);
    this.listener.probe(this.o.probeTimeoutMs);
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.o.log(`failed: ${describeError(error)}`);
    this.failure ??= error;
  }
}
