'use client';
// Whether this browser is signed in as admin (GET /api/auth/session), cached by TanStack Query
// under one key so signing in or out anywhere updates every page at once.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet } from '../api-client.ts';

export interface SessionState {
  signedIn: boolean;
  /** False when ADMIN_TOKEN is unset on the server: nobody can sign in. */
  configured: boolean;
}

export const SESSION_KEY = ['session'] as const;

export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: () => apiGet<SessionState>('/api/auth/session'),
    staleTime: 30_000,
  });
}

export function useRefreshSession(): () => Promise<void> {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: SESSION_KEY });
}
