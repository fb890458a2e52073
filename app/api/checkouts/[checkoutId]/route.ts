// GET /api/checkouts/:checkoutId: one checkout with its user, product, attributed click and the
// user's retained clicks on that product (from the workers), as the detail page shows it. The
// buyer, addresses, IP address and user agent only for the signed-in operator.
import { loadCheckoutExplanation } from '../../../../lib/web/checkout-explanation.ts';
import { json, jsonError, readerOf, serverError } from '../../../../lib/web/http.ts';
import { checkoutDetailFor } from '../../../../lib/web/privacy.ts';
import { checkoutIdSchema, formatIssues } from '../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../lib/web/web-runtime.ts';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ checkoutId: string }> },
): Promise<Response> {
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  const id = checkoutIdSchema.safeParse((await params).checkoutId);
  if (!id.success) return jsonError(400, `Bad checkout id: ${formatIssues(id.error)}`);
  const runtime = getWebRuntime();
  try {
    const explanation = await loadCheckoutExplanation(
      runtime.prisma(),
      runtime.workerUrls,
      id.data,
    );
    if (!explanation) return jsonError(404, `No checkout ${id.data}.`);
    return json(checkoutDetailFor(explanation, reader.signedIn));
  } catch (error) {
    return serverError(request, 'Cannot read the checkout', error);
  }
}
