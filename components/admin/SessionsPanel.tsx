'use client';
// The signed-in browsers (server-side sessions): when and from where each signed in and was last
// used, with "sign out" per session and "sign out everywhere" (this browser included). Shown to
// the signed-in operator only; the list itself needs sign-in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SessionView } from '../../lib/web/session-store.ts';
import { apiGet, apiPost } from '../api-client.ts';
import { useRefreshSession, useSession } from '../auth/use-session.ts';
import { reconnectLiveSocket } from '../live-socket.ts';
import { formatTime } from '../format.ts';
import { ErrorCallout } from './ErrorCallout.tsx';

const SESSIONS_KEY = ['auth-sessions'] as const;

export function SessionsPanel() {
  const session = useSession();
  const signedIn = session.data?.signedIn === true;
  const client = useQueryClient();
  const refreshSession = useRefreshSession();
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: () => apiGet<{ sessions: SessionView[] }>('/api/auth/sessions'),
    enabled: signedIn,
    refetchInterval: 30_000,
    // A 401 means this browser's own session ended: nothing to retry.
    retry: false,
  });
  const revoke = useMutation({
    mutationFn: (body: { id: string } | { all: true }) =>
      apiPost<{ ended: number }>('/api/auth/sessions/revoke', body),
    onSettled: async () => {
      reconnectLiveSocket();
      await Promise.all([refreshSession(), client.invalidateQueries({ queryKey: SESSIONS_KEY })]);
    },
  });
  if (!signedIn) return null;
  const rows = sessions.data?.sessions ?? [];
  return (
    <section className="card" data-testid="sessions-panel">
      <div className="card-title-row">
        <h3 className="card-title">Signed-in browsers</h3>
        <button
          type="button"
          className="button button--danger"
          onClick={() => revoke.mutate({ all: true })}
          disabled={revoke.isPending}
        >
          Sign out everywhere
        </button>
      </div>
      <ErrorCallout error={sessions.error ?? revoke.error} />
      <table className="table table--compact" data-testid="sessions-table">
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last used</th>
            <th>Expires</th>
            <th>Address</th>
            <th>Browser</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id} data-testid="session-row">
              <td className="nowrap">{formatTime(s.createdAt)}</td>
              <td className="nowrap">{formatTime(s.lastSeenAt)}</td>
              <td className="nowrap">{formatTime(s.expiresAt)}</td>
              <td className="mono">{s.clientAddress}</td>
              <td className="small truncate" title={s.userAgent}>
                {s.userAgent}
              </td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => revoke.mutate({ id: s.id })}
                  disabled={revoke.isPending}
                >
                  Sign out
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
