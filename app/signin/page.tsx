// Sign in with the admin token; afterwards, back to the page that asked (only same-site paths).
import type { Metadata } from 'next';
import { SignInPanel } from '@/components/auth/SignInPanel';

export const metadata: Metadata = { title: 'Sign in · Clickstream' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  const target = typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/simulator';
  return (
    <>
      <div className="page-header">
        <h1>Sign in</h1>
        <p className="lede">
          Reading is open to everyone. Running the simulator and admin actions needs the admin
          token.
        </p>
      </div>
      <SignInPanel next={target} />
    </>
  );
}
