// user_id → username for enrichment: an in-memory copy of commerce.users,
// loaded at start and kept fresh by LISTEN on the channel the users trigger
// notifies (see the init migration), so a rename shows up in checkouts
// processed a few milliseconds later. Ids the copy lacks are looked up in one
// query per batch before the batch is processed (a user may be inserted just
// before its first event, ahead of the notification).
import pg from 'pg';

export const USERS_CHANNEL = 'clickstream_users';
const MISS_RECHECK_MS = 1000;

export class UserDirectory {
  private readonly names = new Map<number, string>();
  /** Ids known to be absent, with when that was checked. */
  private readonly missing = new Map<number, number>();
  private listener: pg.Client | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
  ) {}

  async start(): Promise<void> {
    this.listener = new pg.Client({ connectionString: this.databaseUrl });
    this.listener.on('notification', (msg) => {
      const id = Number(msg.payload);
      if (Number.isInteger(id)) void this.refresh([id]);
    });
    this.listener.on('error', (error) => {
      // A lost LISTEN connection would silently stale names: crash, restart recovers.
      console.error('[user-directory] LISTEN connection failed', error);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    await this.listener.connect();
    await this.listener.query(`LISTEN ${USERS_CHANNEL}`);
    // Load after LISTEN so no change between the two is missed.
    const { rows } = await this.pool.query<{ id: number; username: string }>(
      'SELECT id, username FROM commerce.users',
    );
    for (const row of rows) this.names.set(row.id, row.username);
  }

  async stop(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** The name, or undefined for a user that does not exist (as of the last look). */
  nameOf(userId: number): string | undefined {
    return this.names.get(userId);
  }

  /** Looks up, in one query, the ids not in memory (and not checked in the last second). */
  async prefetch(userIds: Iterable<number>, now = Date.now()): Promise<void> {
    const toLoad: number[] = [];
    for (const id of new Set(userIds)) {
      if (this.names.has(id)) continue;
      const checkedAt = this.missing.get(id);
      if (checkedAt !== undefined && now - checkedAt < MISS_RECHECK_MS) continue;
      toLoad.push(id);
    }
    if (toLoad.length > 0) await this.refresh(toLoad, now);
  }

  private async refresh(ids: number[], now = Date.now()): Promise<void> {
    const { rows } = await this.pool.query<{ id: number; username: string }>(
      'SELECT id, username FROM commerce.users WHERE id = ANY($1::int[])',
      [ids],
    );
    const found = new Set<number>();
    for (const row of rows) {
      this.names.set(row.id, row.username);
      this.missing.delete(row.id);
      found.add(row.id);
    }
    for (const id of ids) {
      if (found.has(id)) continue;
      this.names.delete(id);
      this.missing.set(id, now);
    }
  }

  get size(): number {
    return this.names.size;
  }
}
