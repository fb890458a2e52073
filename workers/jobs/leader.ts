// One leader among the jobs workers, for the daily schedule: whoever holds a PostgreSQL session
// advisory lock on its own dedicated connection. The server releases the lock when that session
// ends, so a leader that dies or loses its connection stops being leader; the others try every
// `retryMs` and one of them takes over. A leader also checks, right before it acts, that its
// session still holds the lock (confirm), so a connection dropped silently cannot make two act.
import pg from 'pg';

/** pg_try_advisory_lock(int4, int4) keys: 'clks', 'schd'. */
export const LEADER_LOCK_KEYS = [0x636c6b73, 0x73636864] as const;

export interface Leadership {
  /** Whether this worker held the lock at its last check. */
  isLeader(): boolean;
  /** True only if this worker's session holds the lock right now (asked on that session). */
  confirm(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface LeaderOptions {
  databaseUrl: string;
  /** How often a follower tries the lock and a leader checks its connection. Default 5 s. */
  retryMs?: number;
  log?: (line: string) => void;
  onChange?: (leader: boolean) => void;
}

export function startLeaderElection(options: LeaderOptions): Leadership {
  const retryMs = options.retryMs ?? 5_000;
  const log = options.log ?? (() => undefined);
  let client: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let turn: Promise<void> = Promise.resolve();

  const setLeader = (next: boolean) => {
    if (next === leader) return;
    leader = next;
    log(next ? 'leader of the schedule' : 'no longer leader of the schedule');
    options.onChange?.(next);
  };

  const drop = (why: string) => {
    const lost = client;
    client = undefined;
    if (leader) log(`schedule lock connection lost (${why})`);
    setLeader(false);
    lost?.removeAllListeners('error');
    lost?.on('error', () => undefined);
    void lost?.end().catch(() => undefined);
  };

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: 'clickstream-jobs-leader',
      keepAlive: true,
    });
    // Without a listener an 'error' on an idle connection would crash the process.
    fresh.on('error', (error) => {
      if (client === fresh) drop(error.message);
    });
    fresh.on('end', () => {
      if (client === fresh) drop('connection ended');
    });
    await fresh.connect();
    return fresh;
  };

  const attempt = async () => {
    try {
      client ??= await connect();
      if (leader) {
        await client.query('SELECT 1'); // a dead connection shows here, not only on its own
      } else {
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1, $2) AS locked',
          [...LEADER_LOCK_KEYS],
        );
        if (!stopped) setLeader(rows[0]?.locked === true);
      }
    } catch (error) {
      drop((error as Error).message);
    }
  };

  const loop = () => {
    if (stopped) return;
    turn = attempt().finally(() => {
      if (!stopped) timer = setTimeout(loop, retryMs);
    });
  };
  loop();

  return {
    isLeader: () => leader,
    confirm: async () => {
      if (!leader || !client) return false;
      try {
        const { rows } = await client.query<{ held: boolean }>(
          `SELECT EXISTS (
             SELECT 1 FROM pg_locks
              WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2
           ) AS held`,
          [...LEADER_LOCK_KEYS],
        );
        const held = rows[0]?.held === true;
        if (!held) setLeader(false);
        return held;
      } catch (error) {
        drop((error as Error).message);
        return false;
      }
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await turn;
      // Ending the session releases the lock: another worker leads at its next try.
      drop('stopping');
    },
  };
}
