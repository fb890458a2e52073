// Interned strings with use counts, for the click store's tags and product ids: a user of a
// string holds a small number, each distinct string is kept once while something uses it, and
// a number freed by its last user serves the next new string. Number 0 is '' and never freed.

export class InternTable {
  private readonly numberOf = new Map<string, number>([['', 0]]);
  private readonly texts: string[] = [''];
  private readonly uses: number[] = [0];
  private readonly free: number[] = [];
  private chars = 0;

  /** The number of `text`, counting one more use of it. */
  use(text: string): number {
    if (text === '') return 0;
    let n = this.numberOf.get(text);
    if (n === undefined) {
      n = this.free.pop() ?? this.texts.length;
      this.numberOf.set(text, n);
      this.texts[n] = text;
      this.uses[n] = 0;
      this.chars += text.length;
    }
    this.uses[n] = (this.uses[n] as number) + 1;
    return n;
  }

  /** One use of number `n` ended; the last one frees it. */
  release(n: number): void {
    if (n === 0) return;
    const uses = (this.uses[n] as number) - 1;
    this.uses[n] = uses;
    if (uses > 0) return;
    const text = this.texts[n] as string;
    this.numberOf.delete(text);
    this.chars -= text.length;
    this.texts[n] = '';
    this.free.push(n);
  }

  /** Makes this (a new table) a copy of `other` (the two change independently afterwards). */
  copyFrom(other: InternTable): void {
    this.numberOf.clear();
    for (const [text, n] of other.numberOf) this.numberOf.set(text, n);
    // Element by element: a spread of a large table would overflow the call's arguments.
    this.texts.length = 0;
    for (const text of other.texts) this.texts.push(text);
    this.uses.length = 0;
    for (const uses of other.uses) this.uses.push(uses);
    this.free.length = 0;
    for (const n of other.free) this.free.push(n);
    this.chars = other.chars;
  }

  /** The number of `text` if something uses it (no use counted). */
  find(text: string): number | undefined {
    return this.numberOf.get(text);
  }

  text(n: number): string {
    return this.texts[n] as string;
  }

  /** Estimated bytes: per entry a Map entry, two array elements and a string header + chars. */
  estimateBytes(): number {
    return this.texts.length * (40 + 16 + 24) + this.chars;
  }
}
