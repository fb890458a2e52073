// A binary min-heap of small integer items (the click store's key indices) whose priority is
// read through a callback, with each item's position tracked so that a changed priority is
// repaired in place: no entry objects, no stale entries.

const ABSENT = -1;

export class IndexedMinHeap {
  private heap = new Int32Array(16);
  private position = new Int32Array(16).fill(ABSENT);
  private count = 0;

  constructor(private readonly priority: (item: number) => number) {}

  get size(): number {
    return this.count;
  }

  /** Makes this a copy of `other`; its items' priorities are read through this heap's callback. */
  copyFrom(other: IndexedMinHeap): void {
    this.heap = other.heap.slice();
    this.position = other.position.slice();
    this.count = other.count;
  }

  /** The item with the smallest priority; undefined when empty. */
  peek(): number | undefined {
    return this.count === 0 ? undefined : (this.heap[0] as number);
  }

  has(item: number): boolean {
    return item < this.position.length && this.position[item] !== ABSENT;
  }

  push(item: number): void {
    this.ensureItem(item);
    this.heap[this.count] = item;
    this.position[item] = this.count;
    this.count++;
    this.siftUp(this.count - 1);
  }

  popTop(): void {
    const top = this.heap[0] as number;
    this.position[top] = ABSENT;
    this.count--;
    if (this.count === 0) return;
    const last = this.heap[this.count] as number;
    this.heap[0] = last;
    this.position[last] = 0;
    this.siftDown(0);
  }

  /** Restores the order after the priority of `item` went down. */
  decreased(item: number): void {
    this.siftUp(this.position[item] as number);
  }

  /** Restores the order after the priority of the top item went up. */
  topIncreased(): void {
    this.siftDown(0);
  }

  /**
   * Renames every item: item i becomes `newName[i]` (its priority unchanged, so the order
   * holds). O(n), for an owner that renumbered its items (the click store compacting keys).
   */
  renumber(newName: Int32Array): void {
    const position = new Int32Array(this.position.length).fill(ABSENT);
    for (let i = 0; i < this.count; i++) {
      const item = newName[this.heap[i] as number] as number;
      this.heap[i] = item;
      position[item] = i;
    }
    this.position = position;
  }

  private ensureItem(item: number): void {
    if (item < this.position.length) return;
    // 1.125x, as the click store's slabs: at a million keys 1.5x would leave up to 4 MB unused.
    const size = Math.max(item + 1, Math.ceil(this.position.length * 1.125));
    const position = new Int32Array(size).fill(ABSENT);
    position.set(this.position);
    this.position = position;
    const heap = new Int32Array(size);
    heap.set(this.heap);
    this.heap = heap;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i] as number;
    const p = this.priority(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const other = heap[parent] as number;
      if (this.priority(other) <= p) break;
      heap[i] = other;
      this.position[other] = i;
      i = parent;
    }
    heap[i] = item;
    this.position[item] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.count;
    const item = heap[i] as number;
    const p = this.priority(item);
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      let cp = this.priority(heap[left] as number);
      if (left + 1 < n) {
        const rp = this.priority(heap[left + 1] as number);
        if (rp < cp) {
          child = left + 1;
          cp = rp;
        }
      }
      if (cp >= p) break;
      const other = heap[child] as number;
      heap[i] = other;
      this.position[other] = i;
      i = child;
    }
    heap[i] = item;
    this.position[item] = i;
  }
}
