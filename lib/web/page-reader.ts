// Whether the browser asking for a page is the signed-in operator, for server components (the
// API routes use lib/web/http.ts readerOf). Wrong credentials on a page make an anonymous reader.
import { headers } from 'next/headers';
import { authenticate } from './auth.ts';
import { getWebRuntime } from './web-runtime.ts';

export async function pageReaderSignedIn(): Promise<boolean> {
  const outcome = await authenticate(await headers(), getWebRuntime().authDeps(), {
    stateChange: false,
  });
  return outcome.kind === 'admin';
}
