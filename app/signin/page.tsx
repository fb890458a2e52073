// Sign in with the admin token; afterwards, back to the page that asked (only paths on this
// site: lib/web/safe-next.ts).
import type { Metadata } from 'next';
import { SignInPanel } from '../../components/auth/SignInPanel.tsx';
import { safeNextPath } from '../../lib/web/safe-next.ts';

export const metadata: Metadata = { title: 'Sign in · Clickstream' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  const target = safeNextPath(next, '/simulator');
  return (
    <>
      <div className="page-header">
        <h1>Sign in</h1>
        <p className="lede">
          The dashboard&apos;s figures are open to read. Who bought, addresses, dead-letter
          payloads, the simulator and admin actions need the admin token.
        </p>
      </div>
      <SignInPanel next={target} />
    </>
  );
}
