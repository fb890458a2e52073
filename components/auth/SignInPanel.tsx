'use client';
// The /signin page's body: the form, then a redirect to where the user was going.
import { useRouter } from 'next/navigation';
import { SignInForm } from './SignInForm.tsx';
import { useSession } from './use-session.ts';

export function SignInPanel({ next }: { next: string }) {
  const router = useRouter();
  const session = useSession();
  return (
    <section className="card sign-in-card">
      {session.data?.signedIn && (
        <p className="callout" data-testid="already-signed-in">
          This browser is signed in.
        </p>
      )}
      <SignInForm onSignedIn={() => router.push(next)} />
    </section>
  );
}
