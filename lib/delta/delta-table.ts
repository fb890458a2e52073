// One Delta table in an object store: loading a snapshot (from the latest checkpoint plus the
// JSON commits after it), committing with put-if-absent on `_delta_log/NNN.json`, resolving a
// lost race (re-read the winners, retry on the next version only if the caller's guard allows),
// a checkpoint every 10 commits, and the symlink manifests after every commit.
import {
  LAST_CHECKPOINT_FILE,
  LOG_DIR,
  checkpointFileName,
  classifyLogFile,
  commitFileName,
  decodeCommit,
  decodeDataPath,
  encodeCommit,
  type Action,
  type CommitInfoAction,
  type LogAction,
} from './delta-log.ts';
import {
  applyActions,
  applyCommit,
  assertReadable,
  cloneSnapshot,
  emptySnapshot,
  type DeltaSnapshot,
} from './delta-snapshot.ts';
import { MANIFEST_DIR, filesByPartition, manifestKey, manifestText } from './table-layout.ts';
import { checkpointActions, decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import type { ObjectStore } from './object-store.ts';

export const CHECKPOINT_INTERVAL = 10;

const text = new TextDecoder();

/** Another writer committed something this commit must not be combined with. */
export class ConcurrentCommitError extends Error {
  constructor(
    readonly table: string,
    readonly version: number,
    reason: string,
  ) {
    super(
      `Delta table "${table}": another writer committed version ${version} while this run was working ` +
        `(${reason}). Nothing was committed by this run to "${table}"; its data files are unreferenced ` +
        'and a vacuum removes them.',
    );
    this.name = 'ConcurrentCommitError';
  }
}

export interface LogListing {
  commits: number[];
  checkpoints: number[];
}

/**
 * Decides after a lost race whether the commit may go on the next version. Gets the snapshot
 * including the winning commits and those commits' actions; returns a reason to give up, or
 * undefined to retry.
 */
export type CommitGuard = (latest: DeltaSnapshot, winners: LogAction[]) => string | undefined;

export interface CommitResult {
  version: number;
  snapshot: DeltaSnapshot;
  /** Problems after the commit (checkpoint, manifests): the data is committed regardless. */
  warnings: string[];
}

export class DeltaTable {
  constructor(
    readonly name: string,
    /** A store rooted at the table directory. */
    readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {}

  get uri(): string {
    return this.store.uriOf('').replace(/\/$/, '');
  }

  async listLog(): Promise<LogListing> {
    const commits: number[] = [];
    const checkpoints: number[] = [];
    for (const o of await this.store.list(LOG_DIR)) {
      const name = o.key.slice(LOG_DIR.length + 1);
      if (name.includes('/')) continue;
      const file = classifyLogFile(name);
      if (file.kind === 'commit') commits.push(file.version);
      else if (file.kind === 'checkpoint') checkpoints.push(file.version);
    }
    commits.sort((a, b) => a - b);
    checkpoints.sort((a, b) => a - b);
    return { commits, checkpoints };
  }

  async readCommit(version: number): Promise<LogAction[] | undefined> {
    const bytes = await this.store.get(`${LOG_DIR}/${commitFileName(version)}`);
    return bytes ? decodeCommit(text.decode(bytes), `${this.name} version ${version}`) : undefined;
  }

  private async readCheckpoint(version: number): Promise<LogAction[]> {
    const bytes = await this.store.get(`${LOG_DIR}/${checkpointFileName(version)}`);
    if (!bytes) throw new Error(`Delta table "${this.name}": checkpoint ${version} disappeared`);
    return decodeCheckpoint(bytes);
  }

  /**
   * The snapshot at `version` (default: latest). A table with no log is the empty snapshot.
   * Throws UnsupportedProtocolError for a table this module cannot read (reader version > 1).
   */
  async loadSnapshot(version?: number): Promise<DeltaSnapshot> {
    const { commits, checkpoints } = await this.listLog();
    const latest = commits.length > 0 ? commits[commits.length - 1]! : -1;
    const target = version ?? latest;
    if (version !== undefined && (version < 0 || version > latest)) {
      throw new Error(`Delta table "${this.name}" has no version ${version} (latest is ${latest})`);
    }
    if (target < 0) {
      if (checkpoints.length > 0)
        throw new Error(`Delta table "${this.name}" has checkpoints but no commits`);
      return emptySnapshot();
    }
    const base = [...checkpoints].reverse().find((c) => c <= target);
    let snapshot = emptySnapshot();
    let from = 0;
    if (base !== undefined) {
      applyActions(snapshot, await this.readCheckpoint(base));
      snapshot.version = base;
      from = base + 1;
    } else if (commits[0] !== 0) {
      throw new Error(
        `Delta table "${this.name}": version 0 is missing and there is no checkpoint to start from`,
      );
    }
    for (let v = from; v <= target; v++) {
      const actions = await this.readCommit(v);
      if (!actions)
        throw new Error(
          `Delta table "${this.name}": log is missing version ${v} (latest is ${latest})`,
        );
      snapshot = applyCommit(snapshot, v, actions);
    }
    assertReadable(snapshot, this.name);
    return snapshot;
  }

  /** Replays the commits after `snapshot` onto a copy; returns it and the actions replayed. */
  async catchUp(
    snapshot: DeltaSnapshot,
  ): Promise<{ snapshot: DeltaSnapshot; actions: LogAction[] }> {
    const next = cloneSnapshot(snapshot);
    const replayed: LogAction[] = [];
    for (let v = snapshot.version + 1; ; v++) {
      const actions = await this.readCommit(v);
      if (!actions) break;
      applyCommit(next, v, actions);
      replayed.push(...actions);
    }
    return { snapshot: next, actions: replayed };
  }

  /**
   * Commits `actions` as the version after `base`. If another writer took that version, replays
   * its commits and asks `guard` whether to retry on the following version.
   */
  async commit(
    base: DeltaSnapshot,
    actions: Action[],
    guard: CommitGuard,
    maxAttempts = 10,
  ): Promise<CommitResult> {
    const body = encodeCommit(actions);
    let snapshot = base;
    for (let attempt = 1; ; attempt++) {
      const version = snapshot.version + 1;
      if (await this.store.putIfAbsent(`${LOG_DIR}/${commitFileName(version)}`, body)) {
        const committed = applyCommit(cloneSnapshot(snapshot), version, actions);
        const warnings = await this.afterCommit(committed);
        return { version, snapshot: committed, warnings };
      }
      const caught = await this.catchUp(snapshot);
      if (caught.snapshot.version < version) {
        throw new Error(`Delta table "${this.name}": version ${version} exists but cannot be read`);
      }
      const reason = guard(caught.snapshot, caught.actions);
      if (reason !== undefined) throw new ConcurrentCommitError(this.name, version, reason);
      if (attempt >= maxAttempts) {
        throw new ConcurrentCommitError(
          this.name,
          version,
          `still conflicting after ${attempt} attempts`,
        );
      }
      snapshot = caught.snapshot;
    }
  }

  /** Checkpoint every CHECKPOINT_INTERVAL versions, then the manifests. Failures become warnings. */
  private async afterCommit(snapshot: DeltaSnapshot): Promise<string[]> {
    const warnings: string[] = [];
    if (snapshot.version > 0 && snapshot.version % CHECKPOINT_INTERVAL === 0) {
      try {
        await this.writeCheckpoint(snapshot);
      } catch (error) {
        warnings.push(
          `${this.name}: checkpoint ${snapshot.version} not written: ${(error as Error).message}`,
        );
      }
    }
    try {
      await this.writeManifests(snapshot);
    } catch (error) {
      warnings.push(`${this.name}: symlink manifests not updated: ${(error as Error).message}`);
    }
    return warnings;
  }

  async writeCheckpoint(snapshot: DeltaSnapshot): Promise<void> {
    const actions = checkpointActions(snapshot, this.now());
    const bytes = encodeCheckpoint(actions);
    // Overwrite is allowed: two checkpoints of one version hold the same state.
    await this.store.put(`${LOG_DIR}/${checkpointFileName(snapshot.version)}`, bytes);
    await this.store.put(
      `${LOG_DIR}/${LAST_CHECKPOINT_FILE}`,
      JSON.stringify({
        version: snapshot.version,
        size: actions.length,
        sizeInBytes: bytes.length,
        numOfAddFiles: snapshot.files.size,
      }),
    );
  }

  /**
   * Rewrites every partition's manifest from the snapshot and deletes manifests of partitions
   * that no longer have files. Rewriting all (not only touched) partitions heals manifests that
   * a run killed right after its commit left stale.
   */
  async writeManifests(snapshot: DeltaSnapshot): Promise<void> {
    const partitionColumns = snapshot.metadata?.partitionColumns ?? [];
    const groups = filesByPartition(partitionColumns, snapshot.files.values());
    const wanted = new Set<string>();
    const writes: (() => Promise<void>)[] = [];
    if (partitionColumns.length === 0 && groups.size === 0) groups.set('', []);
    for (const [dir, files] of groups) {
      const key = manifestKey(dir);
      wanted.add(key);
      const body = manifestText(files.map((f) => this.store.uriOf(decodeDataPath(f.path))));
      writes.push(() => this.store.put(key, body));
    }
    for (const o of await this.store.list(MANIFEST_DIR)) {
      if (!wanted.has(o.key) && !o.key.split('/').some((part) => part.startsWith('.'))) {
        writes.push(() => this.store.delete(o.key));
      }
    }
    await runLimited(writes, 8);
  }

  /** commitInfo of every version still in the log, oldest first. */
  async history(): Promise<
    { version: number; commitInfo?: CommitInfoAction; actions: LogAction[] }[]
  > {
    const { commits } = await this.listLog();
    const out = [];
    for (const version of commits) {
      const actions = (await this.readCommit(version)) ?? [];
      const info = actions.find((a): a is { commitInfo: CommitInfoAction } => 'commitInfo' in a);
      out.push({ version, commitInfo: info?.commitInfo, actions });
    }
    return out;
  }
}

/** Runs tasks with at most `limit` in flight; rejects with the first failure. */
export async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
