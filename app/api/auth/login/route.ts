// POST /api/auth/login { token }: exchanges the admin token for an httpOnly session cookie, so the
// browser can call the state-changing APIs. Wrong tokens are throttled (see SignInThrottle).
import { HOW_TO_SIGN_IN, createSession, sessionCookie, tokenMatches } from '@/lib/web/auth';
import { isHttps, json, jsonError, parseJsonBody } from '@/lib/web/http';
import { loginSchema } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function POST(request: Request): Promise<Response> {
  const { config, signInThrottle } = getWebRuntime();
  const token = config.ADMIN_TOKEN;
  if (!token) {
    return jsonError(
      503,
      'ADMIN_TOKEN is not set, so nobody can sign in: set it (at least 16 characters) in .env.local or the environment and restart the web server.',
    );
  }
  if (signInThrottle.blocked()) {
    return jsonError(
      429,
      'Too many wrong tokens in the last minute: wait a minute and try again.',
      {
        'retry-after': '60',
      },
    );
  }
  const body = await parseJsonBody(request, loginSchema);
  if (!body.ok) return body.response;
  if (!tokenMatches(body.data.token, token)) {
    signInThrottle.fail();
    return jsonError(401, `That is not the admin token. ${HOW_TO_SIGN_IN}`);
  }
  return json(
    { signedIn: true },
    { headers: { 'set-cookie': sessionCookie(createSession(token), isHttps(request)) } },
  );
}
