// A binary min-heap ordered by a comparator. Used for the time-ordered queues of the engine
// (clicks to evict, checkouts to finalize), so neither needs a full scan per event.

export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (this.compare(item, p) >= 0) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.compare(items[right] as T, items[left] as T) < 0) child = right;
      const c = items[child] as T;
      if (this.compare(c, last) >= 0) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
