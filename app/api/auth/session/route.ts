// GET /api/auth/session: whether this browser is signed in, and whether signing in is possible
// at all (ADMIN_TOKEN set). Lets the UI say how to sign in before an action fails.
import { authorize } from '@/lib/web/auth';
import { json } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export function GET(request: Request): Response {
  const { config } = getWebRuntime();
  const outcome = authorize(request.headers, config.ADMIN_TOKEN);
  return json({ signedIn: outcome.ok, configured: Boolean(config.ADMIN_TOKEN) });
}
