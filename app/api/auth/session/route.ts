// GET /api/auth/session: whether this browser is signed in, and whether signing in is possible
// at all (ADMIN_TOKEN set). Lets the UI say how to sign in before an action fails. A bearer
// token sent here is checked and throttled like anywhere else (no free token oracle).
import { json, readerOf } from '../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(request: Request): Promise<Response> {
  const { config } = getWebRuntime();
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  return json({
    signedIn: reader.signedIn,
    configured: Boolean(config.ADMIN_TOKEN),
    publicDashboard: config.PUBLIC_DASHBOARD,
  });
}
