'use client';
// Wraps controls that change state: when the browser is not signed in, it says so above them
// and offers the sign-in form in place. The server checks again on every call; this only spares
// the user a 401 after filling in a form.
import type { ReactNode } from 'react';
import { SignInForm } from './SignInForm.tsx';
import { useSession } from './use-session.ts';

export function AdminGate({ action, children }: { action: string; children: ReactNode }) {
  const session = useSession();
  const signedIn = session.data?.signedIn === true;
  return (
    <>
      {session.data && !signedIn && (
        <section className="card sign-in-card" data-testid="sign-in-required">
          <h2>Sign in to {action}</h2>
          <p className="muted">
            Figures are open to read; changing anything needs the admin token.
          </p>
          <SignInForm />
        </section>
      )}
      <fieldset className="plain-fieldset" disabled={!signedIn}>
        {children}
      </fieldset>
    </>
  );
}
