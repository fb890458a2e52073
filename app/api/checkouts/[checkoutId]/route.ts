// GET /api/checkouts/:checkoutId: one checkout with its user, product, attributed click and the
// user's retained clicks on that product (from the workers), as the detail page shows it.
import { loadCheckoutExplanation } from '@/lib/web/checkout-explanation';
import { json, jsonError } from '@/lib/web/http';
import { checkoutIdSchema, formatIssues } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ checkoutId: string }> },
): Promise<Response> {
  const id = checkoutIdSchema.safeParse((await params).checkoutId);
  if (!id.success) return jsonError(400, `Bad checkout id: ${formatIssues(id.error)}`);
  const runtime = getWebRuntime();
  const explanation = await loadCheckoutExplanation(runtime.pool, runtime.workerUrls, id.data);
  if (!explanation) return jsonError(404, `No checkout ${id.data}.`);
  return json(explanation);
}
