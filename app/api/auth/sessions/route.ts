// GET /api/auth/sessions: the live sessions (when and from where each began, when last used),
// for the admin page. Signed-in only.
import { CLIENT_ADDRESS_HEADER } from '../../../../lib/web/auth.ts';
import { json, jsonError, readerOf, serverError } from '../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  if (!reader.signedIn) return jsonError(401, 'Sign in to see the sessions.');
  try {
    const sessions = await getWebRuntime().sessions.list();
    return json({ sessions, yourAddress: request.headers.get(CLIENT_ADDRESS_HEADER) });
  } catch (error) {
    return serverError(request, 'Cannot read the sessions', error);
  }
}
