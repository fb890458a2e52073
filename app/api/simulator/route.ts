// GET /api/simulator: the simulator's status (what it is sending; not pipeline figures).
import { json } from '../../../lib/web/http.ts';
import { getWebRuntime } from '../../../lib/web/web-runtime.ts';

export function GET(): Response {
  return json(getWebRuntime().simulator.status());
}
