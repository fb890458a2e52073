// POST /api/auth/logout: ends this browser's session on the server (a copy of the cookie stops
// working at once) and clears the cookie. Like every cookie-authenticated change, it needs an
// Origin naming this server, so another site cannot sign the operator out.
import { SESSION_COOKIE, readCookie } from '../../../../lib/web/auth.ts';
import { clearedSessionCookie } from '../../../../lib/web/auth.ts';
import { isHttps, json, requireAdmin, serverError } from '../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const cleared = { 'set-cookie': clearedSessionCookie(isHttps(request)) };
  const secret = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
  if (!secret) return json({ signedIn: false }, { headers: cleared });
  const denied = await requireAdmin(request);
  // A dead or foreign cookie: nothing to end on the server; the cookie is cleared all the same.
  if (denied && denied.status !== 403) return json({ signedIn: false }, { headers: cleared });
  if (denied) return denied;
  const { sessions, sessionEvents } = getWebRuntime();
  try {
    const id = await sessions.revokeSecret(secret);
    if (id) sessionEvents.emit('revoked', [id]);
    return json({ signedIn: false }, { headers: cleared });
  } catch (error) {
    return serverError(request, 'Cannot end the session', error, 503);
  }
}
