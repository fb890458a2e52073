// POST /api/auth/logout: clears the session cookie (sessions are stateless; changing ADMIN_TOKEN
// ends every session at once).
import { clearedSessionCookie } from '@/lib/web/auth';
import { isHttps, json } from '@/lib/web/http';

export function POST(request: Request): Response {
  return json(
    { signedIn: false },
    { headers: { 'set-cookie': clearedSessionCookie(isHttps(request)) } },
  );
}
