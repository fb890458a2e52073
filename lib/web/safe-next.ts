// Where to go after signing in: only a path on this site. The browser's URL parser drops tabs and
// newlines and reads backslashes as slashes, so `/\t/evil.example` or `/\evil.example` would leave
// the site; the target is therefore parsed the way the browser will parse it, and kept only if it
// stays on this origin. Pure, and used by the server (the sign-in page) only.
const BASE = 'http://this.site.invalid';

export function safeNextPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2_000) return fallback;
  // Control characters have no place in a path (the parser would drop some of them).
  const hasControl = [...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (hasControl || next.includes('\\') || !next.startsWith('/') || next.startsWith('//')) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? fallback : path;
}
