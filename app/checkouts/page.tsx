// The checkout browser over commerce.attributed_checkouts: keyset pages, filters and sort. The
// first page is read here, on the server, for the URL's filters; later pages come from
// /api/checkouts in the browser.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { CheckoutBrowser } from '@/components/checkouts/CheckoutBrowser';
import { canonicalQuery } from '@/lib/web/checkout-query-string';
import { listCheckouts, type CheckoutPage } from '@/lib/web/checkout-queries';
import { checkoutQuerySchema, searchParamsObject } from '@/lib/web/schemas';
import { getWebRuntime } from '@/lib/web/web-runtime';

export const metadata: Metadata = { title: 'Checkouts · Clickstream' };

export default async function CheckoutsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const params = searchParamsObject(await searchParams);
  const query = checkoutQuerySchema.safeParse(params);
  let initialPage: CheckoutPage | null = null;
  // A bad query is left to the browser's fetch, which shows the API's 400 message.
  if (query.success) {
    initialPage = await listCheckouts(getWebRuntime().pool, query.data).catch(() => null);
  }
  return (
    <>
      <div className="page-header">
        <h1>Checkouts</h1>
        <p className="lede">
          Every checkout the speed layer has written, with the click it is credited to. Rows are
          provisional until the watermark passes their time, then final.
        </p>
      </div>
      <Suspense>
        <CheckoutBrowser
          initialQuery={canonicalQuery(new URLSearchParams(params))}
          initialPage={initialPage}
        />
      </Suspense>
    </>
  );
}
