// GET /api/attribution/checkouts/:checkoutId: one checkout's credit per candidate click under each
// attribution model, as the models job last published it (empty when the models have not covered
// it yet), and when that was. Click ids, times and channels are what the checkout page already
// shows anyone; the buyer is not part of the answer. The id is checked before anything else.
import { checkoutCredits } from '../../../../../lib/web/attribution-queries.ts';
import { json, jsonError, readerOf, serverError } from '../../../../../lib/web/http.ts';
import { checkoutIdSchema, formatIssues } from '../../../../../lib/web/schemas.ts';
import { getWebRuntime } from '../../../../../lib/web/web-runtime.ts';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ checkoutId: string }> },
): Promise<Response> {
  const id = checkoutIdSchema.safeParse((await params).checkoutId);
  if (!id.success) return jsonError(400, `Bad checkout id: ${formatIssues(id.error)}`);
  const reader = await readerOf(request);
  if (!reader.ok) return reader.response;
  try {
    return json(await checkoutCredits(getWebRuntime().prisma(), id.data));
  } catch (error) {
    return serverError(request, 'Cannot read the checkout’s credits', error);
  }
}
