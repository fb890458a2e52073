// The dashboard. Rendered per request with the poller's latest snapshot and history, then kept
// live by the `pipeline` pushes over socket.io (components/dashboard/Dashboard.tsx).
import { connection } from 'next/server';
import { Dashboard } from '@/components/dashboard/Dashboard';
import { getWebRuntime } from '@/lib/web/web-runtime';

export default async function DashboardPage() {
  await connection();
  const { poller } = getWebRuntime();
  return <Dashboard initialSnapshot={poller.latest()} initialHistory={poller.history()} />;
}
