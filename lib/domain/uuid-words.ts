// Canonical UUID text (8-4-4-4-12 lowercase hex) as four 32-bit words, most significant first,
// so that the click store keeps 16 bytes instead of a 36-character string. Only the canonical
// lowercase form is converted: it round-trips exactly, and for it the unsigned order of the
// words equals the byte order of the text (the dashes sit at the same places in every such id,
// and '0'-'9' < 'a'-'f' in ASCII as in value). Any other id stays a string.

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[97 + c] = 10 + c;

/**
 * Writes the words of `id` to out[at..at+3] and returns true when `id` is a canonical lowercase
 * UUID; returns false (out may be partly written) for any other string.
 */
export function uuidWords(id: string, out: Uint32Array, at: number): boolean {
  if (id.length !== 36) return false;
  if (
    id.charCodeAt(8) !== 45 ||
    id.charCodeAt(13) !== 45 ||
    id.charCodeAt(18) !== 45 ||
    id.charCodeAt(23) !== 45
  ) {
    return false;
  }
  let word = 0;
  let digits = 0;
  let w = at;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = id.charCodeAt(i);
    const v = c < 128 ? (HEX_VALUE[c] as number) : -1;
    if (v < 0) return false;
    word = (word << 4) | v;
    if (++digits === 8) {
      out[w++] = word >>> 0;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

const hex8 = (word: number) => (word >>> 0).toString(16).padStart(8, '0');

/** The canonical text of the words at words[at..at+3]. */
export function uuidText(words: Uint32Array, at: number): string {
  const b = hex8(words[at + 1] as number);
  const c = hex8(words[at + 2] as number);
  return (
    hex8(words[at] as number) +
    '-' +
    b.slice(0, 4) +
    '-' +
    b.slice(4) +
    '-' +
    c.slice(0, 4) +
    '-' +
    c.slice(4) +
    hex8(words[at + 3] as number)
  );
}

/** Unsigned order of the words at a[i..i+3] and b[j..j+3]: negative, zero or positive. */
export function compareUuidWords(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let n = 0; n < 4; n++) {
    const x = a[i + n] as number;
    const y = b[j + n] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
