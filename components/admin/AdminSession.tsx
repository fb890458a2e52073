'use client';
// The admin page's sign-in panel: who may change state, and the form when nobody has signed in.
import { SignInForm } from '../auth/SignInForm.tsx';
import { useSession } from '../auth/use-session.ts';

export function AdminSession() {
  const session = useSession();
  if (!session.data) return null;
  return (
    <section className="card" id="sign-in" data-testid="admin-session">
      <h3 className="card-title">Admin access</h3>
      {session.data.signedIn ? (
        <p>Signed in: this browser can run the simulator, lake exports and model runs.</p>
      ) : (
        <>
          <p className="muted">
            Figures are open to read; who bought, addresses, dead-letter payloads, the simulator and
            admin actions need the admin token.
          </p>
          <SignInForm />
        </>
      )}
    </section>
  );
}
