'use client';
// The models job as the admin page and the attribution page both drive it: the status of the
// newest run (one cache entry, polled every second while a run goes), the button's mutation
// (POST /api/admin/models/run: sign-in required, one run at a time), and a callback when a run
// ends, so each page reads again what that run produced.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { JobStatusView } from '../../lib/jobs/job-run.ts';
import { apiGet, apiPost } from '../api-client.ts';
import { useSession } from '../auth/use-session.ts';

const MODELS_STATUS_KEY = ['admin', 'models'];

/** What each phase of a models run is doing, as the pages say it. */
export const MODELS_PHASES: Record<string, string> = {
  queued: 'waiting for a jobs worker',
  python: 'preparing the Python tools',
  build: 'dbt build',
  reconciliation: 'reading the reconciliation',
  publish: 'publishing the attribution models for the web',
  docs: 'generating the docs',
  done: 'finishing',
};

export function useModelsRun({
  idleRefetchMs,
  onRunEnded,
}: {
  /** How often to look for a run while none goes. */
  idleRefetchMs: number;
  onRunEnded: (client: ReturnType<typeof useQueryClient>) => void;
}) {
  const client = useQueryClient();
  const session = useSession();
  const signedIn = session.data?.signedIn === true;
  const [wasRunning, setWasRunning] = useState(false);
  const status = useQuery({
    queryKey: MODELS_STATUS_KEY,
    queryFn: () => apiGet<JobStatusView>('/api/admin/models'),
    refetchInterval: (q) => (q.state.data?.running ? 1_000 : idleRefetchMs),
  });
  const running = status.data?.running === true;
  if (wasRunning !== running) {
    setWasRunning(running);
    if (!running) onRunEnded(client);
  }
  const start = useMutation({
    mutationFn: () => apiPost<{ runId: string | null }>('/api/admin/models/run'),
    onSettled: () => client.invalidateQueries({ queryKey: MODELS_STATUS_KEY }),
  });
  // Known once the session answered: pages say "sign in" only then.
  const sessionKnown = Boolean(session.data);
  return { signedIn, sessionKnown, status, running, start };
}
