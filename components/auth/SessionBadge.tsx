'use client';
// The nav's sign-in state: a "Sign in" link (back to this page afterwards), or "Admin" with a
// sign-out button.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { apiPost } from '../api-client.ts';
import { reconnectLiveSocket } from '../live-socket.ts';
import { useRefreshSession, useSession } from './use-session.ts';

export function SessionBadge() {
  const session = useSession();
  const refresh = useRefreshSession();
  const pathname = usePathname();
  if (!session.data) return null;
  if (session.data.signedIn) {
    return (
      <span className="session-badge" data-testid="session-badge">
        Signed in
        <button
          type="button"
          className="link-button"
          onClick={async () => {
            await apiPost('/api/auth/logout');
            reconnectLiveSocket();
            await refresh();
          }}
        >
          Sign out
        </button>
      </span>
    );
  }
  const next = pathname === '/signin' ? '/' : pathname;
  return (
    <Link
      href={`/signin?next=${encodeURIComponent(next)}`}
      className="session-badge"
      data-testid="session-badge"
    >
      Sign in
    </Link>
  );
}
