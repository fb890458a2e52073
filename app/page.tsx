// The dashboard. Rendered per request with the poller's latest snapshot and history, then kept
// live by the `pipeline` pushes over socket.io (components/dashboard/Dashboard.tsx). The
// per-checkout feed only for the signed-in operator.
import { connection } from 'next/server';
import { Dashboard } from '../components/dashboard/Dashboard.tsx';
import { pageReaderSignedIn } from '../lib/web/page-reader.ts';
import { snapshotFor } from '../lib/web/privacy.ts';
import { getWebRuntime } from '../lib/web/web-runtime.ts';

export default async function DashboardPage() {
  await connection();
  const { poller } = getWebRuntime();
  const signedIn = await pageReaderSignedIn();
  return (
    <Dashboard
      initialSnapshot={snapshotFor(poller.latest(), signedIn)}
      initialHistory={poller.history()}
    />
  );
}
