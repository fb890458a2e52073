'use client';
// The admin sign-in: the token goes to POST /api/auth/login, which answers with an httpOnly
// session cookie. Says where the token comes from, since a new user has not read any code.
import { useState, type FormEvent } from 'react';
import { ApiError, apiPost } from '../api-client.ts';
import { reconnectLiveSocket } from '../live-socket.ts';
import { useRefreshSession, useSession } from './use-session.ts';

export function SignInForm({ onSignedIn }: { onSignedIn?: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useRefreshSession();
  const session = useSession();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await apiPost('/api/auth/login', { token: token.trim() });
      setToken('');
      reconnectLiveSocket();
      await refresh();
      onSignedIn?.();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  if (session.data && !session.data.configured) {
    return (
      <div className="callout callout--bad" role="alert">
        Signing in is off: the server has no <code>ADMIN_TOKEN</code>. Set one (at least 16
        characters) in <code>.env.local</code> or the environment and restart the web server.
      </div>
    );
  }

  return (
    <form className="sign-in" onSubmit={submit} aria-label="Sign in">
      <label className="field">
        <span className="field__label">Admin token</span>
        <input
          type="password"
          name="token"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
          placeholder="paste the token"
        />
      </label>
      <button type="submit" className="button" disabled={busy || token.trim() === ''}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="field__hint">
        The token is printed by <code>npm run demo</code> and stored as <code>ADMIN_TOKEN</code> in{' '}
        <code>.env.local</code>. Scripts can send it as <code>Authorization: Bearer …</code>{' '}
        instead.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
