// Compares strings by the byte order of their UTF-8 encoding, the tie-break order the spec
// uses for click ids. UTF-8 byte order equals code point order; JS `<` compares UTF-16 code
// units, which disagrees for astral characters (surrogates) against U+E000..U+FFFF.

/** Maps a UTF-16 code unit so that unit order equals code point order (surrogates go last). */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  // U+E000..U+FFFF sort before any astral code point, whose surrogates are 0xD800..0xDFFF.
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Negative, zero or positive as `a` sorts before, equal to, or after `b` in UTF-8 byte order. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Orders (time, id) pairs: by time, then by id in byte order. */
export function compareTimeThenId(ta: number, ida: string, tb: number, idb: string): number {
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareBytes(ida, idb);
}
