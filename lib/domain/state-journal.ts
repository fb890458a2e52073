// The changes to a partition's large state since its last persisted snapshot, as an ordered log
// of operations: clicks retained, horizons moved, checkouts starting to pend and attributed to
// a better click, checkout ids finalized (which ends their pending) and forgotten. An
// incremental snapshot carries this log instead of every retained click, so its cost follows
// the traffic since the last one, not the size of the state. Replayed in order on top of the
// previous snapshot, the operations rebuild exactly the state they were recorded from: the click
// store, the pending checkouts (in the order they started pending) and the finalized-id list are
// deterministic functions of these operations.
//
// Recording is cheap (appending bytes); the log is dropped only up to what a persisted snapshot
// holds (`confirm`), so a snapshot that was captured but never written loses nothing: the next
// one carries its operations too.
import { ByteReader, ByteWriter } from './binary-io.ts';
import type { PendingCheckout } from './partition-types.ts';
import { readPending, writePending } from './pending-codec.ts';
import { uuidText, uuidWords } from './uuid-words.ts';

const ADD_CLICK = 1;
const EVICT_BEFORE = 2;
const LOWER_HORIZON = 3;
const FINALIZED = 4;
const FORGET_FINALIZED_BEFORE = 5;
/** ADD_CLICK with the click's tag (a click without one is written as ADD_CLICK). */
const ADD_TAGGED_CLICK = 6;
const PENDING_ADDED = 7;
const PENDING_CLICK = 8;
/**
 * A click as ADD_CLICK_PACKED writes it: a flags byte, then the user, the time, the product
 * id and the click id, each id as the 16 bytes of a canonical UUID (uuid-words.ts) when it is
 * one, else as its text, then the tag when there is one. UUIDs as text made up 72 of a click's
 * ~110 bytes, and the clicks most of a delta: the packed form halves a delta, and with it how
 * often the deltas outgrow their base and a base is encoded.
 */
const ADD_CLICK_PACKED = 9;
/** FINALIZED with the checkout's user id (delta version 4); FINALIZED's user is unknown (NaN). */
const FINALIZED_WITH_USER = 10;
const PRODUCT_UUID = 1;
const CLICK_UUID = 2;
const TAGGED = 4;

/** What replaying a journal acts on (the state being rebuilt). */
export interface JournalTarget {
  addClick(userId: number, productId: string, clickId: string, time: number, tag: string): void;
  evictBefore(cutoff: number): void;
  lowerHorizon(horizon: number): void;
  /** Also ends the checkout's pending, if it was. `userId` is NaN in journals before it. */
  finalized(checkoutId: string, at: number, userId: number): void;
  forgetFinalizedBefore(limit: number): void;
  pendingAdded(entry: PendingCheckout): void;
  pendingClick(checkoutId: string, clickId: string, clickTime: number, clickTag: string): void;
}

export class StateJournal {
  private w = new ByteWriter(64 * 1024);
  /** A click's product id as UUID words (addClick's scratch). */
  private readonly productWords = new Uint32Array(4);

  /** Bytes recorded and not yet confirmed. */
  get byteLength(): number {
    return this.w.length;
  }

  /**
   * `clickWords`: the click id's UUID words (the click store has read them already:
   * ClickStore.addedIdWords), or undefined when the id is not a canonical UUID.
   */
  addClick(
    userId: number,
    productId: string,
    clickId: string,
    clickWords: Uint32Array | undefined,
    time: number,
    tag: string,
  ): void {
    const productWords = this.productWords;
    const productUuid = uuidWords(productId, productWords, 0);
    const w = this.w;
    w.u8(ADD_CLICK_PACKED);
    w.u8(
      (productUuid ? PRODUCT_UUID : 0) | (clickWords ? CLICK_UUID : 0) | (tag === '' ? 0 : TAGGED),
    );
    w.f64(userId);
    w.f64(time);
    if (productUuid) for (let i = 0; i < 4; i++) w.u32(productWords[i] as number);
    else w.str(productId);
    if (clickWords) for (let i = 0; i < 4; i++) w.u32(clickWords[i] as number);
    else w.str(clickId);
    if (tag !== '') w.str(tag);
  }

  evictBefore(cutoff: number): void {
    this.w.u8(EVICT_BEFORE);
    this.w.f64(cutoff);
  }

  lowerHorizon(horizon: number): void {
    this.w.u8(LOWER_HORIZON);
    this.w.f64(horizon);
  }

  finalized(checkoutId: string, at: number, userId: number): void {
    this.w.u8(FINALIZED_WITH_USER);
    this.w.f64(at);
    this.w.f64(userId);
    this.w.str(checkoutId);
  }

  forgetFinalizedBefore(limit: number): void {
    this.w.u8(FORGET_FINALIZED_BEFORE);
    this.w.f64(limit);
  }

  /** A checkout starts pending, as `entry` is now (later changes are recorded on their own). */
  pendingAdded(entry: PendingCheckout): void {
    this.w.u8(PENDING_ADDED);
    writePending(this.w, entry);
  }

  /** A pending checkout is attributed to a better click. */
  pendingClick(checkoutId: string, clickId: string, clickTime: number, clickTag: string): void {
    this.w.u8(PENDING_CLICK);
    this.w.str(checkoutId);
    this.w.str(clickId);
    this.w.f64(clickTime);
    this.w.str(clickTag);
  }

  /** The operations so far, and the mark to confirm once a snapshot holding them is stored. */
  capture(): { operations: Buffer; mark: number } {
    return { operations: this.w.finish(), mark: this.w.length };
  }

  /** Drops the operations up to `mark` (stored); those recorded since the capture stay. */
  confirm(mark: number): void {
    const all = this.w.finish();
    this.w = new ByteWriter(Math.max(64 * 1024, all.length - mark));
    this.w.bytes(all.subarray(mark));
  }

  /** Forgets everything: a full snapshot of the state is being captured instead. */
  clear(): void {
    this.w = new ByteWriter(64 * 1024);
  }
}

/** How many clicks the operations add (what a replay must make room for); reads nothing else. */
export function countAddedClicks(operations: Uint8Array): number {
  const r = new ByteReader(operations);
  let added = 0;
  while (r.remaining > 0) {
    const op = r.u8();
    switch (op) {
      case ADD_CLICK:
      case ADD_TAGGED_CLICK:
        added++;
        r.bytes(16); // user id, time
        r.bytes(r.u32()); // product id
        r.bytes(r.u32()); // click id
        if (op === ADD_TAGGED_CLICK) r.bytes(r.u32());
        break;
      case ADD_CLICK_PACKED: {
        added++;
        const flags = r.u8();
        r.bytes(16); // user id, time
        r.bytes(flags & PRODUCT_UUID ? 16 : r.u32());
        r.bytes(flags & CLICK_UUID ? 16 : r.u32());
        if (flags & TAGGED) r.bytes(r.u32());
        break;
      }
      case EVICT_BEFORE:
      case LOWER_HORIZON:
      case FORGET_FINALIZED_BEFORE:
        r.bytes(8);
        break;
      case FINALIZED:
      case FINALIZED_WITH_USER:
        r.bytes(op === FINALIZED ? 8 : 16); // at (and user id)
        r.bytes(r.u32());
        break;
      case PENDING_ADDED:
        readPending(r, true);
        break;
      case PENDING_CLICK:
        r.bytes(r.u32());
        r.bytes(r.u32());
        r.bytes(8);
        r.bytes(r.u32());
        break;
      default:
        throw new Error(`unknown journal operation ${op}`);
    }
  }
  return added;
}

function readUuid(r: ByteReader, words: Uint32Array): string {
  for (let i = 0; i < 4; i++) words[i] = r.u32();
  return uuidText(words, 0);
}

/** Applies recorded operations, in order, to `target`. Throws on anything it cannot read. */
export function replayJournal(operations: Uint8Array, target: JournalTarget): void {
  const r = new ByteReader(operations);
  const words = new Uint32Array(4);
  while (r.remaining > 0) {
    const op = r.u8();
    switch (op) {
      case ADD_CLICK:
      case ADD_TAGGED_CLICK: {
        const userId = r.f64();
        const time = r.f64();
        const productId = r.str();
        const clickId = r.str();
        target.addClick(userId, productId, clickId, time, op === ADD_TAGGED_CLICK ? r.str() : '');
        break;
      }
      case ADD_CLICK_PACKED: {
        const flags = r.u8();
        const userId = r.f64();
        const time = r.f64();
        const productId = flags & PRODUCT_UUID ? readUuid(r, words) : r.str();
        const clickId = flags & CLICK_UUID ? readUuid(r, words) : r.str();
        target.addClick(userId, productId, clickId, time, flags & TAGGED ? r.str() : '');
        break;
      }
      case EVICT_BEFORE:
        target.evictBefore(r.f64());
        break;
      case LOWER_HORIZON:
        target.lowerHorizon(r.f64());
        break;
      case FINALIZED: {
        const at = r.f64();
        target.finalized(r.str(), at, Number.NaN);
        break;
      }
      case FINALIZED_WITH_USER: {
        const at = r.f64();
        const userId = r.f64();
        target.finalized(r.str(), at, userId);
        break;
      }
      case FORGET_FINALIZED_BEFORE:
        target.forgetFinalizedBefore(r.f64());
        break;
      case PENDING_ADDED:
        target.pendingAdded(readPending(r, true));
        break;
      case PENDING_CLICK: {
        const checkoutId = r.str();
        const clickId = r.str();
        const clickTime = r.f64();
        target.pendingClick(checkoutId, clickId, clickTime, r.str());
        break;
      }
      default:
        throw new Error(`unknown journal operation ${op}`);
    }
  }
}
