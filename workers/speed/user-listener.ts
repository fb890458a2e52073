// The LISTEN connection behind the user directory: one pg Client on the users channel, with TCP
// keepalive and its own application_name (so it can be found in pg_stat_activity), re-opened
// whenever it is lost ('error', 'end', or a probe left unanswered), with backoff while the
// database refuses. Notifications sent while nobody listened are gone for good, so the owner is
// told after each re-open, and reads again what it holds.
//
// Plain pg, not Prisma Client, on purpose: LISTEN needs one dedicated session that stays open
// and delivers 'notification' events between queries. Prisma hands out a pooled connection
// per query (or per transaction, with a timeout) and exposes no notifications, so the channel
// would be silently dropped with the connection it was LISTENed on.
import pg from 'pg';
import { describeError } from '../../lib/faults/error-kinds.ts';

export const USERS_CHANNEL = 'clickstream_users';

export interface UserListenerOptions {
  databaseUrl: string;
  applicationName: string;
  keepAliveInitialDelayMs: number;
  /** Runs `attempt` until it succeeds, retrying transient errors with backoff (and reporting them). */
  retrying: (attempt: () => Promise<void>) => Promise<void>;
  /** A notification's payload: the id of the user inserted, updated or deleted. */
  onNotification: (payload: string | undefined) => void;
  /** The connection was lost; reconnecting follows. */
  onLost: (description: string) => void;
  /** Listening again after a loss: whatever was notified meanwhile was missed. */
  onRelistening: () => void;
  /** Reconnecting failed with an error that is not transient: nobody listens any more. */
  onFailed: (error: unknown) => void;
}

export class UserListener {
  private client: pg.Client | undefined;
  private reconnecting: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly o: UserListenerOptions) {}

  /** Connects and LISTENs, waiting while the database is away. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Whether a connection is listening right now (false while reconnecting). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Replaces the connection if it does not answer within `timeoutMs`: a network drop no packet
   * announced, which TCP keepalive would only notice minutes later.
   */
  probe(timeoutMs: number): void {
    const client = this.client;
    if (!client) return;
    withTimeout(client.query('SELECT 1'), timeoutMs).catch((error: unknown) =>
      this.lost(client, error),
    );
  }

  /** Stops listening; the caller aborts the retries `retrying` runs. */
  async stop(): Promise<void> {
    this.stopping = true;
    const client = this.client;
    this.client = undefined;
    await this.reconnecting;
    if (client) await withTimeout(client.end(), 2_000).catch(() => undefined);
  }

  private async connect(): Promise<void> {
    await this.o.retrying(async () => {
      const client = new pg.Client({
        connectionString: this.o.databaseUrl,
        application_name: this.o.applicationName,
        keepAlive: true,
        keepAliveInitialDelayMillis: this.o.keepAliveInitialDelayMs,
        connectionTimeoutMillis: 10_000,
      });
      // A loss may be parsed in the same chunk as LISTEN's answer, before this function resumes.
      let lostEarly: unknown;
      const onLost = (error: unknown) => {
        lostEarly ??= error;
        this.lost(client, error);
      };
      client.on('error', onLost);
      client.on('end', () => onLost(new Error('LISTEN connection ended')));
      client.on('notification', (msg) => this.o.onNotification(msg.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${USERS_CHANNEL}`);
        if (lostEarly !== undefined) throw lostEarly;
      } catch (error) {
        client.end().catch(() => undefined);
        throw error;
      }
      if (this.stopping) client.end().catch(() => undefined);
      else this.client = client;
    });
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return; // an old or not yet current connection
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopping) return;
    this.o.onLost(`user listener: ${describeError(error)}`);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.reconnecting || this.stopping) return;
    this.reconnecting = (async () => {
      while (!this.client && !this.stopping) {
        await this.connect();
        if (this.client) this.o.onRelistening();
      }
    })()
      .catch((error: unknown) => {
        if (!this.stopping) this.o.onFailed(error);
      })
      .finally(() => {
        this.reconnecting = undefined;
      });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
