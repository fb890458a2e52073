// Server-side sessions of the web app in commerce.web_sessions (Prisma). The cookie carries a
// random 256-bit secret; the table keeps only its SHA-256, with the token epoch it was made under,
// when it expires (absolute, and after an idle spell) and who made it. Revoking is deleting the
// row, so a copied cookie stops working at once, in every web process.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';

/** A session lasts at most this long, however active. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** A session unused for this long has ended. */
export const SESSION_IDLE_MS = 2 * 3_600_000;
/** last_seen_at is written at most this often per session (reads stay reads). */
const TOUCH_EVERY_MS = 60_000;
const MAX_USER_AGENT = 300;

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  clientAddress: string;
  userAgent: string;
}

const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export interface SessionStoreOptions {
  prisma: () => PrismaClient;
  /** The current ADMIN_TOKEN's epoch (lib/web/auth.ts tokenEpoch), computed once. */
  tokenEpoch: () => string;
  ttlMs?: number;
  idleMs?: number;
}

export class SessionStore {
  private readonly ttlMs: number;
  private readonly idleMs: number;

  constructor(private readonly o: SessionStoreOptions) {
    this.ttlMs = o.ttlMs ?? SESSION_TTL_MS;
    this.idleMs = o.idleMs ?? SESSION_IDLE_MS;
  }

  /** A new session: its cookie secret (shown once, never stored) and its row's id. */
  async create(
    clientAddress: string,
    userAgent: string,
    now = Date.now(),
  ): Promise<{ secret: string; id: string; maxAgeMs: number }> {
    const secret = randomBytes(32).toString('base64url');
    const row = await this.o.prisma().webSession.create({
      data: {
        secretHash: hashOf(secret),
        tokenEpoch: this.o.tokenEpoch(),
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: new Date(now + this.ttlMs),
        clientAddress: clientAddress.slice(0, 64),
        userAgent: userAgent.slice(0, MAX_USER_AGENT),
      },
      select: { id: true },
    });
    return { secret, id: row.id, maxAgeMs: this.ttlMs };
  }

  /** The live session of `secret`, or null (unknown, revoked, expired, idle, or older token). */
  async find(secret: string, now = Date.now()): Promise<{ id: string } | null> {
    const prisma = this.o.prisma();
    const row = await prisma.webSession.findUnique({
      where: { secretHash: hashOf(secret) },
      select: { id: true, tokenEpoch: true, expiresAt: true, lastSeenAt: true },
    });
    if (!row) return null;
    if (
      row.tokenEpoch !== this.o.tokenEpoch() ||
      row.expiresAt.getTime() <= now ||
      row.lastSeenAt.getTime() <= now - this.idleMs
    ) {
      return null;
    }
    if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      await prisma.webSession
        .updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } })
        .catch(() => undefined);
    }
    return { id: row.id };
  }

  /** Ends the session of `secret`; its id, or null when there was none. */
  async revokeSecret(secret: string): Promise<string | null> {
    const prisma = this.o.prisma();
    const row = await prisma.webSession.findUnique({
      where: { secretHash: hashOf(secret) },
      select: { id: true },
    });
    if (!row) return null;
    await prisma.webSession.deleteMany({ where: { id: row.id } });
    return row.id;
  }

  /** Ends one session by its public id; whether it existed. */
  async revokeId(id: string): Promise<boolean> {
    const { count } = await this.o.prisma().webSession.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Signs every browser out; how many sessions ended. */
  async revokeAll(): Promise<number> {
    const { count } = await this.o.prisma().webSession.deleteMany({});
    return count;
  }

  /** The live sessions, newest first. */
  async list(now = Date.now()): Promise<SessionView[]> {
    const rows = await this.o.prisma().webSession.findMany({
      where: {
        tokenEpoch: this.o.tokenEpoch(),
        expiresAt: { gt: new Date(now) },
        lastSeenAt: { gt: new Date(now - this.idleMs) },
      },
      orderBy: { createdAt: 'desc' },
      take: 200,
    });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      clientAddress: r.clientAddress,
      userAgent: r.userAgent,
    }));
  }

  /** Deletes sessions that can no longer be used (expired, idle, or made under another token). */
  async purge(now = Date.now()): Promise<number> {
    const { count } = await this.o.prisma().webSession.deleteMany({
      where: {
        OR: [
          { tokenEpoch: { not: this.o.tokenEpoch() } },
          { expiresAt: { lte: new Date(now) } },
          { lastSeenAt: { lte: new Date(now - this.idleMs) } },
        ],
      },
    });
    return count;
  }
}
