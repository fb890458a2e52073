// Binary encoding of a partition's state. A *base* holds all of it (watermark sources, counters,
// retained clicks, pending checkouts, remembered checkout ids); a *delta* holds the small parts
// whole and, for the large ones (clicks, pending checkouts, checkout ids), the journal of
// operations since the previous snapshot (state-journal.ts). Base then deltas, in order, decode to exactly the state
// that was captured, so a restored engine produces the same outputs. Each is versioned by a
// magic and a version byte.
import { ByteReader, ByteWriter } from './binary-io.ts';
import { ClickStore, type ClickVisitor, type StoreFiller } from './click-store.ts';
import type { PartitionCounters, PartitionState, PendingCheckout } from './partition-types.ts';
import { readPending, writePending } from './pending-codec.ts';
import { countAddedClicks, replayJournal, type JournalTarget } from './state-journal.ts';
import type { SourceState } from './watermark.ts';

const MAGIC = Buffer.from('CSPS', 'latin1');
/**
 * 2: clicks carry tags, pending checkouts their click's tag. 3: a key's clicks one by one (time,
 * id, tag), a UUID id as its 16 bytes (uuid-words.ts) instead of 36 characters of text.
 * 4: a key's product and a click's tag are numbers into tables that the snapshot defines as it
 * goes (the first use of a product or tag writes its text, see TextTable): a base wrote, and its
 * restore decoded, one string per key and one per click (12% of a base's bytes, a fifth of its
 * restore time, on the simulator's stream). 5: each remembered checkout id with its user id, so
 * that a copy under another user id is told from a re-delivery (partition-engine.ts).
 * Versions 1 to 4 are still read (their ids' users unknown: NaN).
 */
const VERSION = 5;
/** A v3+ click id: the kind byte, then a length-prefixed string or four u32 words. */
const TEXT_ID = 0;
const UUID_ID = 1;
/** A v4 reference to a text not yet in its table: the text follows, and takes the next number. */
const NEW_REF = 0xffffffff;
const DELTA_MAGIC = Buffer.from('CSPD', 'latin1');
/**
 * 2: pending checkouts carry their click's tag. 3: no pending checkouts whole; the journal
 * records them as they change (a delta of an idle partition was every pending checkout again,
 * 1.1 MB a partition every 5 s at 10k events/s). 4: the journal's finalized ids carry their user
 * id (state-journal.ts, FINALIZED_WITH_USER). Versions 1 to 3 are still read.
 */
const DELTA_VERSION = 4;

/** The parts of a state a delta carries whole. */
export type StateHeader = Pick<
  PartitionState,
  'allowedLatenessMs' | 'checkoutIdRetentionMs' | 'watermark' | 'sources' | 'counters'
>;

/** A delta: the whole small parts of the state and the journal since the previous snapshot. */
export function encodePartitionDelta(header: StateHeader, journal: Uint8Array): Buffer {
  const w = new ByteWriter(1024 + journal.length);
  w.bytes(DELTA_MAGIC);
  w.u8(DELTA_VERSION);
  writeSmallParts(w, header);
  w.u32(journal.length);
  w.bytes(journal);
  return w.finish();
}

/** The state a base and its deltas (in order) describe. */
export function decodePartitionSnapshots(
  base: Uint8Array,
  deltas: readonly Uint8Array[],
): PartitionState {
  // Room for every click the journals add as well, so that replaying them never regrows a slab.
  const journals = deltas.map(readDelta);
  const added = journals.reduce((n, d) => n + countAddedClicks(d.journal), 0);
  const state = decodePartitionState(base, added);
  if (deltas.length === 0) return state;
  // The finalized ids are forgotten from the front: keep a head, cut once at the end.
  let head = 0;
  const { store, finalizedIds, finalizedAt, finalizedUsers } = state;
  let pending = new Map(state.pending.map((p) => [p.checkout.checkoutId, p]));
  const target: JournalTarget = {
    addClick(userId: number, productId: string, clickId: string, time: number, tag: string) {
      if (store.add(userId, productId, clickId, time, tag) !== 'added') {
        throw new Error(`snapshot journal: click ${clickId} could not be added again`);
      }
    },
    evictBefore: (cutoff: number) => void store.evictBefore(cutoff),
    lowerHorizon: (horizon: number) => store.lowerHorizon(horizon),
    finalized(checkoutId: string, at: number, userId: number) {
      // A pending checkout stops pending when it is finalized (a late one never was).
      pending.delete(checkoutId);
      finalizedIds.push(checkoutId);
      finalizedAt.push(at);
      finalizedUsers.push(userId);
    },
    pendingAdded(entry: PendingCheckout) {
      pending.set(entry.checkout.checkoutId, entry);
    },
    pendingClick(checkoutId: string, clickId: string, clickTime: number, clickTag: string) {
      const entry = pending.get(checkoutId);
      if (!entry) throw new Error(`snapshot journal: checkout ${checkoutId} is not pending`);
      entry.clickId = clickId;
      entry.clickTime = clickTime;
      entry.clickTag = clickTag;
    },
    forgetFinalizedBefore(limit: number) {
      while (head < finalizedIds.length && (finalizedAt[head] as number) < limit) head++;
    },
  };
  let header: StateHeader = state;
  for (const delta of journals) {
    replayJournal(delta.journal, target);
    header = delta.small;
    // Before version 3 a delta held every pending checkout whole, as of its capture.
    if (delta.pending) pending = new Map(delta.pending.map((p) => [p.checkout.checkoutId, p]));
  }
  return {
    ...header,
    pending: [...pending.values()],
    store,
    finalizedIds: finalizedIds.slice(head),
    finalizedAt: finalizedAt.slice(head),
    finalizedUsers: finalizedUsers.slice(head),
  };
}

/** A delta's parts; its journal is a view into its bytes. */
function readDelta(delta: Uint8Array): {
  small: StateHeader;
  /** Every pending checkout, in deltas before version 3. */
  pending: PendingCheckout[] | undefined;
  journal: Uint8Array;
} {
  {
    const r = new ByteReader(delta);
    if (!r.bytes(DELTA_MAGIC.length).equals(DELTA_MAGIC)) throw new Error('not a snapshot delta');
    const version = r.u8();
    if (version < 1 || version > DELTA_VERSION)
      throw new Error(`unsupported snapshot delta version ${version}`);
    const small = readSmallParts(r);
    const pending =
      version < 3 ? Array.from({ length: r.u32() }, () => readPending(r, version >= 2)) : undefined;
    const journal = r.bytes(r.u32());
    if (r.remaining !== 0) throw new Error(`snapshot delta has ${r.remaining} trailing bytes`);
    return { small, pending, journal };
  }
}

function writeSmallParts(w: ByteWriter, state: StateHeader): void {
  w.f64(state.allowedLatenessMs);
  w.f64(state.checkoutIdRetentionMs);
  w.f64(state.watermark);
  w.u32(state.sources.length);
  for (const s of state.sources) {
    w.str(s.source);
    w.f64(s.maxEventTime);
    w.u8(s.idle ? 1 : 0);
  }
  const counters = Object.entries(state.counters);
  w.u32(counters.length);
  for (const [name, value] of counters) {
    w.str(name);
    w.f64(value);
  }
}

function readSmallParts(r: ByteReader): StateHeader {
  const allowedLatenessMs = r.f64();
  const checkoutIdRetentionMs = r.f64();
  const watermark = r.f64();
  const sources: SourceState[] = Array.from({ length: r.u32() }, () => ({
    source: r.str(),
    maxEventTime: r.f64(),
    idle: r.u8() === 1,
  }));
  const counters: Record<string, number> = {};
  for (let n = r.u32(); n > 0; n--) counters[r.str()] = r.f64();
  return {
    allowedLatenessMs,
    checkoutIdRetentionMs,
    watermark,
    sources,
    counters: counters as unknown as PartitionCounters,
  };
}

export function encodePartitionState(state: PartitionState): Buffer {
  const steps = encodePartitionStateInSteps(state);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Keys (and pending checkouts) a step of encodePartitionStateInSteps writes: 0.1-0.2 ms of work
 * at one click a key, a few ms at twenty.
 */
const KEYS_PER_STEP = 512;

/**
 * encodePartitionState a part at a time: each `next()` writes KEYS_PER_STEP keys, the last
 * returns the bytes. `state` must not change until then (a worker encodes a copy, so the
 * event loop can serve rows between the steps of a large base).
 */
export function* encodePartitionStateInSteps(state: PartitionState): Generator<void, Buffer, void> {
  const store = state.store;
  const w = new ByteWriter(1024 + store.clickCount * 56);
  w.bytes(MAGIC);
  w.u8(VERSION);
  writeSmallParts(w, state);

  w.f64(store.horizon);
  w.u32(store.clickCount);
  w.u32(store.keyCount);
  const products = new TextTable();
  const tags = new TextTable();
  const visitor: ClickVisitor = {
    key(userId, productId, clicks) {
      w.f64(userId);
      products.write(w, productId);
      w.u32(clicks);
    },
    click(time, text, words, at, tag) {
      w.f64(time);
      if (text === undefined) {
        w.u8(UUID_ID);
        for (let i = 0; i < 4; i++) w.u32(words[at + i] as number);
      } else {
        w.u8(TEXT_ID);
        w.str(text);
      }
      tags.write(w, tag);
    },
  };
  for (let from = 0; from < store.keySlots; from += KEYS_PER_STEP) {
    store.visitClicks(visitor, from, from + KEYS_PER_STEP);
    yield;
  }

  w.u32(state.pending.length);
  for (let i = 0; i < state.pending.length; i++) {
    writePending(w, state.pending[i] as PendingCheckout);
    if (i % KEYS_PER_STEP === KEYS_PER_STEP - 1) yield;
  }

  w.u32(state.finalizedIds.length);
  for (let i = 0; i < state.finalizedIds.length; i++) {
    w.str(state.finalizedIds[i] as string);
    w.f64(state.finalizedAt[i] as number);
    w.f64(state.finalizedUsers[i] as number);
  }
  return w.finish();
}

/** `laterClicks`: clicks that deltas will add after this base (the store makes room for them). */
export function decodePartitionState(bytes: Uint8Array, laterClicks = 0): PartitionState {
  const r = new ByteReader(bytes);
  if (!r.bytes(MAGIC.length).equals(MAGIC)) throw new Error('not a partition snapshot');
  const version = r.u8();
  if (version < 1 || version > VERSION) throw new Error(`unsupported snapshot version ${version}`);
  const tagged = version >= 2;
  const small = readSmallParts(r);

  const horizon = r.f64();
  const clickCount = r.u32();
  const keyCount = r.u32();
  const store = ClickStore.restoreWith(
    horizon,
    { clicks: clickCount + laterClicks, keys: keyCount },
    version >= 3
      ? (into) => readClicks(r, keyCount, into, version >= 4)
      : (into) => {
          // A key's times, then its ids, then its tags: the first two wait in arrays kept across keys.
          let times = new Float64Array(64);
          const ids: string[] = [];
          for (let k = 0; k < keyCount; k++) {
            const userId = r.f64();
            const productId = r.str();
            const n = r.u32();
            if (n > times.length) times = new Float64Array(n);
            for (let i = 0; i < n; i++) times[i] = r.f64();
            for (let i = 0; i < n; i++) ids[i] = r.str();
            into.key(userId, productId);
            for (let i = 0; i < n; i++)
              into.click(ids[i] as string, times[i] as number, tagged ? r.str() : '');
          }
        },
  );

  const pending = Array.from({ length: r.u32() }, () => readPending(r, tagged));

  const finalizedIds: string[] = [];
  const finalizedAt: number[] = [];
  const finalizedUsers: number[] = [];
  for (let n = r.u32(); n > 0; n--) {
    finalizedIds.push(r.str());
    finalizedAt.push(r.f64());
    finalizedUsers.push(version >= 5 ? r.f64() : Number.NaN);
  }
  if (r.remaining !== 0) throw new Error(`snapshot has ${r.remaining} trailing bytes`);

  return { ...small, store, pending, finalizedIds, finalizedAt, finalizedUsers };
}

/**
 * Numbers the texts of a snapshot (products, tags) in the order it first writes them: the first
 * use writes NEW_REF and the text, every later one its number. The texts come from the store's
 * intern tables, so each is one string and its hash is cached: the lookup is cheap.
 */
class TextTable {
  private readonly numbers = new Map<string, number>();

  write(w: ByteWriter, text: string): void {
    const n = this.numbers.get(text);
    if (n !== undefined) {
      w.u32(n);
    } else {
      this.numbers.set(text, this.numbers.size);
      w.u32(NEW_REF);
      w.str(text);
    }
  }
}

/** Reads what TextTable.write wrote, into the texts read so far. */
function readRef(r: ByteReader, texts: string[]): string {
  const n = r.u32();
  if (n === NEW_REF) {
    const text = r.str();
    texts.push(text);
    return text;
  }
  const text = texts[n];
  if (text === undefined) throw new Error(`snapshot refers to text ${n} before defining it`);
  return text;
}

/**
 * Version 3 and 4 clicks: per key its user, product and count, then per click time, id and tag;
 * version 4 writes the product and the tag as a reference (TextTable), version 3 as text.
 */
function readClicks(r: ByteReader, keyCount: number, into: StoreFiller, numbered: boolean): void {
  const words = new Uint32Array(4);
  const products: string[] = [];
  const tags: string[] = [];
  const text = numbered ? (texts: string[]) => readRef(r, texts) : () => r.str();
  for (let k = 0; k < keyCount; k++) {
    const userId = r.f64();
    into.key(userId, text(products));
    for (let n = r.u32(); n > 0; n--) {
      const time = r.f64();
      const kind = r.u8();
      if (kind === UUID_ID) {
        for (let i = 0; i < 4; i++) words[i] = r.u32();
        into.uuidClick(words, 0, time, text(tags));
      } else if (kind === TEXT_ID) {
        const id = r.str();
        into.click(id, time, text(tags));
      } else {
        throw new Error(`snapshot holds a click id of unknown kind ${kind}`);
      }
    }
  }
}
