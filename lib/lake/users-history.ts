// SCD type 2 history of commerce.users for the lake's `users` table. Pure. Periods are half-open
// [valid_from, valid_to); at most one current row (valid_to null) per user. While the history is
// empty, users open at 1970-01-01 so that every event before the lake existed joins a name.

export interface UserVersion {
  userId: number;
  username: string;
  /** Epoch ms. */
  validFrom: number;
  /** Epoch ms, or null for the current version. */
  validTo: number | null;
  isCurrent: boolean;
}

export interface DatabaseUser {
  id: number;
  username: string;
}

export interface HistoryMerge {
  rows: UserVersion[];
  opened: number;
  closed: number;
  /** False when the history is unchanged (no commit needed). */
  changed: boolean;
}

/**
 * Compares the users in the database at `now` with the current versions in `history`: a new user
 * opens a version, a rename closes the old one and opens another, a deleted user's version closes.
 */
export function mergeUserHistory(
  history: UserVersion[],
  users: DatabaseUser[],
  now: number,
): HistoryMerge {
  const openFrom = history.length === 0 ? 0 : now;
  const rows = history.map((r) => ({ ...r }));
  const current = new Map<number, UserVersion>();
  for (const r of rows) {
    if (!r.isCurrent) continue;
    if (current.has(r.userId))
      throw new Error(`users history has two current rows for user ${r.userId}`);
    current.set(r.userId, r);
  }
  let opened = 0;
  let closed = 0;
  const close = (r: UserVersion) => {
    r.validTo = Math.max(now, r.validFrom);
    r.isCurrent = false;
    closed++;
  };
  const seen = new Set<number>();
  for (const u of users) {
    if (seen.has(u.id)) throw new Error(`user ${u.id} is listed twice`);
    seen.add(u.id);
    const version = current.get(u.id);
    if (version && version.username === u.username) continue;
    if (version) close(version);
    rows.push({
      userId: u.id,
      username: u.username,
      validFrom: version ? now : openFrom,
      validTo: null,
      isCurrent: true,
    });
    opened++;
  }
  for (const [id, version] of current) if (!seen.has(id)) close(version);
  rows.sort(
    (a, b) =>
      a.userId - b.userId || a.validFrom - b.validFrom || Number(a.isCurrent) - Number(b.isCurrent),
  );
  return { rows, opened, closed, changed: opened > 0 || closed > 0 };
}
