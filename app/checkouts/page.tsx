// The checkout browser over commerce.attributed_checkouts: keyset pages, filters and sort. The
// first page is read here, on the server, for the URL's filters; later pages come from
// /api/checkouts in the browser. Who bought is left out unless the reader is signed in.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { CheckoutBrowser } from '../../components/checkouts/CheckoutBrowser.tsx';
import { canonicalQuery } from '../../lib/web/checkout-query-string.ts';
import { listCheckouts, type CheckoutPage } from '../../lib/web/checkout-queries.ts';
import { pageReaderSignedIn } from '../../lib/web/page-reader.ts';
import { checkoutPageFor } from '../../lib/web/privacy.ts';
import { checkoutQuerySchema, searchParamsObject } from '../../lib/web/schemas.ts';
import { getWebRuntime } from '../../lib/web/web-runtime.ts';

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
  const signedIn = await pageReaderSignedIn();
  // A user filter needs sign-in: the browser's fetch then shows the API's 401 message.
  if (query.success && (signedIn || query.data.user === undefined)) {
    initialPage = await listCheckouts(getWebRuntime().prisma(), query.data)
      .then((page) => checkoutPageFor(page, signedIn))
      .catch(() => null);
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
