// The source text of numbers in a JSON object, as written: JSON.parse turns `0.1000000000000000001`
// into the double 0.1, and the spec judges amounts and ids on the digits as written. Pure.
// Runs on text JSON.parse has already accepted as an object, so it only has to find the
// top-level members, not validate: iterative (no recursion, however deep the nesting), linear.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;

/** Longest key `topLevelNumberTexts` may be asked for. */
const MAX_KEY_LENGTH = 64;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the string literal that opens at `start` (a quote). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0)
      throw new Error('json-number-text: unterminated string (text was not valid JSON)');
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Index just past the object or array that opens at `start`. */
function skipContainer(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new Error('json-number-text: unterminated container (text was not valid JSON)');
}

/**
 * The key whose literal is text[from, to), if it is one of `keys`. `escaped` says whether the
 * literal holds a backslash: then it is decoded first (an escape takes at most 6 characters, so
 * a longer literal is none of `keys`, which also keeps huge keys cheap).
 */
function wantedKey(
  text: string,
  from: number,
  to: number,
  escaped: boolean,
  keys: readonly string[],
): string | undefined {
  if (escaped) {
    if (to - from > 6 * MAX_KEY_LENGTH) return undefined;
    const key = JSON.parse(`"${text.slice(from, to)}"`) as string;
    return keys.includes(key) ? key : undefined;
  }
  for (const key of keys) {
    if (key.length === to - from && text.startsWith(key, from)) return key;
  }
  return undefined;
}

/**
 * For each of `keys`, the source text of the top-level member's value when it is a number, as
 * JSON.parse would see it (the last occurrence of a duplicated key wins, escaped key names are
 * decoded). A key whose last value is not a number, or that is absent, is left out.
 * `text` must be JSON that JSON.parse accepts as an object.
 */
export function topLevelNumberTexts(
  text: string,
  keys: readonly string[],
): Partial<Record<string, string>> {
  for (const key of keys) {
    if (key.length > MAX_KEY_LENGTH) throw new Error('json-number-text: key too long');
  }
  return isFlatAndUnescaped(text) ? findFlatNumberTexts(text, keys) : scanNumberTexts(text, keys);
}

/**
 * Whether the object in `text` (which JSON.parse accepted) has no escape and no object inside it,
 * not even a brace inside a string: every message a producer writes with JSON.stringify from flat
 * events, and so every message on the hot path (issue 13). Two native scans. Arrays may be there:
 * without an object inside, they hold no member names.
 */
function isFlatAndUnescaped(text: string): boolean {
  return !text.includes('\\') && text.indexOf('{', text.indexOf('{') + 1) < 0;
}

/** `"key"`, made once a key: a string built per call would be flattened per search. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * topLevelNumberTexts for a flat, unescaped object, without walking its members. Without a
 * backslash every quote opens or closes a string, and a closing quote is never followed by a
 * letter in valid JSON, so an occurrence of `"key"` is a string token holding `key`: with no
 * object inside, a top-level member's name if a colon follows it, else a value (of the object
 * or in an array). A key found more than once goes to the full scan, which knows the last
 * occurrence wins.
 */
function findFlatNumberTexts(
  text: string,
  keys: readonly string[],
): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const key of keys) {
    const token = quotedKey(key);
    const at = text.indexOf(token);
    if (at < 0) continue;
    if (text.indexOf(token, at + token.length) >= 0) return scanNumberTexts(text, keys);
    let i = at + token.length;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== COLON) continue; // a string value that reads like the key
    i++;
    while (isSpace(text.charCodeAt(i))) i++;
    const start = i;
    const c = text.charCodeAt(i);
    if (c !== MINUS && !(c >= 0x30 && c <= 0x39)) continue;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === COMMA || d === CLOSE_BRACE || isSpace(d)) break;
      i++;
    }
    out[key] = text.slice(start, i);
  }
  return out;
}

/** topLevelNumberTexts for any object: walks its top-level members. */
function scanNumberTexts(text: string, keys: readonly string[]): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  let nextEscape = text.indexOf('\\');
  let i = 0;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new Error('json-number-text: not a JSON object');
  i++;
  for (;;) {
    while (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === COMMA) i++;
    if (i >= text.length || text.charCodeAt(i) === CLOSE_BRACE) return out;
    const keyEnd = skipString(text, i);
    // The next backslash at or after the key: found with indexOf, moving forward only (linear).
    if (nextEscape >= 0 && nextEscape < i) nextEscape = text.indexOf('\\', i);
    const escaped = nextEscape >= 0 && nextEscape < keyEnd;
    const key = wantedKey(text, i + 1, keyEnd - 1, escaped, keys);
    i = keyEnd;
    while (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === COLON) i++;
    const start = i;
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = skipString(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) i = skipContainer(text, i);
    else {
      // A number or a literal (true, false, null): runs to the next delimiter.
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === COMMA || d === CLOSE_BRACE || isSpace(d)) break;
        i++;
      }
    }
    if (key !== undefined) {
      const isNumber = c === MINUS || (c >= 0x30 && c <= 0x39);
      if (isNumber) out[key] = text.slice(start, i);
      else delete out[key];
    }
  }
}
