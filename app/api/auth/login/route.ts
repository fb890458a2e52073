// POST /api/auth/login { token }: exchanges the admin token for a server-side session (an
// httpOnly cookie holding the session's secret). Wrong tokens count against the client's address
// (SignInThrottle): a stranger locks out only themselves. A foreign Origin is refused by
// server.ts before this runs, so no other site can make visitors' browsers guess.
import {
  CLIENT_ADDRESS_HEADER,
  HOW_TO_SIGN_IN,
  sessionCookie,
  tokenMatches,
} from '../../../../lib/web/auth.ts';
import { isHttps, json, jsonError, parseJsonBody, serverError } from '../../../../lib/web/http.ts';
import { loginSchema } from '../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function POST(request: Request): Promise<Response> {
  const { config, signInThrottle, sessions } = getWebRuntime();
  const token = config.ADMIN_TOKEN;
  if (!token) {
    return jsonError(
      503,
      'ADMIN_TOKEN is not set, so nobody can sign in: set it (at least 16 characters) in .env.local or the environment and restart the web server.',
    );
  }
  const client = request.headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
  const retryAfterSec = signInThrottle.retryAfterSec(client);
  if (retryAfterSec > 0) {
    return jsonError(
      429,
      `Too many wrong tokens from this address: try again in ${retryAfterSec} s.`,
      { 'retry-after': String(retryAfterSec) },
    );
  }
  const body = await parseJsonBody(request, loginSchema);
  if (!body.ok) return body.response;
  if (!tokenMatches(body.data.token, token)) {
    signInThrottle.fail(client);
    return jsonError(401, `That is not the admin token. ${HOW_TO_SIGN_IN}`);
  }
  signInThrottle.succeed(client);
  try {
    const session = await sessions.create(client, request.headers.get('user-agent') ?? '');
    return json(
      { signedIn: true },
      {
        headers: {
          'set-cookie': sessionCookie(session.secret, isHttps(request), session.maxAgeMs),
        },
      },
    );
  } catch (error) {
    return serverError(request, 'Cannot start a session', error, 503);
  }
}
