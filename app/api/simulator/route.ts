// GET /api/simulator: the simulator's status (what it is sending; not pipeline figures).
import { json } from '@/lib/web/http';
import { getWebRuntime } from '@/lib/web/web-runtime';

export function GET(): Response {
  return json(getWebRuntime().simulator.status());
}
