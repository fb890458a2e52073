// POST /api/auth/sessions/revoke { id } | { all: true }: signs one session out, or every one
// ("sign out everywhere", this browser included). Admin only; their live sockets are dropped too.
import { z } from 'zod';
import { json, parseJsonBody, requireAdmin, serverError } from '../../../../../lib/web/http.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';

const revokeSchema = z.union([
  z.strictObject({ id: z.uuid() }),
  z.strictObject({ all: z.literal(true) }),
]);

export async function POST(request: Request): Promise<Response> {
  const denied = await requireAdmin(request);
  if (denied) return denied;
  const body = await parseJsonBody(request, revokeSchema);
  if (!body.ok) return body.response;
  const { sessions, sessionEvents } = getWebRuntime();
  try {
    if ('all' in body.data) {
      const ended = await sessions.revokeAll();
      sessionEvents.emit('revoked', 'all');
      return json({ ended });
    }
    const ended = (await sessions.revokeId(body.data.id)) ? 1 : 0;
    sessionEvents.emit('revoked', [body.data.id]);
    return json({ ended });
  } catch (error) {
    return serverError(request, 'Cannot end the sessions', error, 503);
  }
}
