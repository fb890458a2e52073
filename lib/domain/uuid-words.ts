// Canonical UUID text (8-4-4-4-12 lowercase hex) as four 32-bit words, most significant first,
// so that the click store keeps 16 bytes instead of a 36-character string. Only the canonical
// lowercase form is converted: it round-trips exactly, and for it the unsigned order of the
// words equals the byte order of the text (the dashes sit at the same places in every such id,
// and '0'-'9' < 'a'-'f' in ASCII as in value). Any other id stays a string.

/** The value of each UTF-16 unit as a lowercase hex digit, or -1: one load per unit, no range test. */
const HEX_VALUE = new Int8Array(0x10000).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[97 + c] = 10 + c;

/** The 16-bit value of the 4 lowercase hex digits at id[i..i+3], or negative if one is not. */
function hex4(id: string, i: number): number {
  const a = HEX_VALUE[id.charCodeAt(i)] as number;
  const b = HEX_VALUE[id.charCodeAt(i + 1)] as number;
  const c = HEX_VALUE[id.charCodeAt(i + 2)] as number;
  const d = HEX_VALUE[id.charCodeAt(i + 3)] as number;
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * Writes the words of `id` to out[at..at+3] and returns true when `id` is a canonical lowercase
 * UUID; returns false (out untouched) for any other string. Four digits at a time, without a
 * branch per digit: a click's id is read this way once per click (2.7x faster than a loop over
 * the 36 units while cold, 1.3x warm; 256k ids).
 */
export function uuidWords(id: string, out: Uint32Array, at: number): boolean {
  if (
    id.length !== 36 ||
    id.charCodeAt(8) !== 45 ||
    id.charCodeAt(13) !== 45 ||
    id.charCodeAt(18) !== 45 ||
    id.charCodeAt(23) !== 45
  ) {
    return false;
  }
  const a = hex4(id, 0);
  const b = hex4(id, 4);
  const c = hex4(id, 9);
  const d = hex4(id, 14);
  const e = hex4(id, 19);
  const f = hex4(id, 24);
  const g = hex4(id, 28);
  const h = hex4(id, 32);
  if ((a | b | c | d | e | f | g | h) < 0) return false;
  out[at] = ((a << 16) | b) >>> 0;
  out[at + 1] = ((c << 16) | d) >>> 0;
  out[at + 2] = ((e << 16) | f) >>> 0;
  out[at + 3] = ((g << 16) | h) >>> 0;
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
