// Operator tools: pipeline health (workers, partitions, lag, watermarks) live from the workers,
// the dead-letter store, and the batch layer's jobs: the lake export and the dbt models.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { AdminSession } from '../../components/admin/AdminSession.tsx';
import { DeadLetters } from '../../components/admin/DeadLetters.tsx';
import { LakeExportPanel } from '../../components/admin/LakeExportPanel.tsx';
import { ModelsPanel } from '../../components/admin/ModelsPanel.tsx';
import { PipelineHealth } from '../../components/admin/PipelineHealth.tsx';
import { SessionsPanel } from '../../components/admin/SessionsPanel.tsx';
import { pageReaderSignedIn } from '../../lib/web/page-reader.ts';
import { snapshotFor } from '../../lib/web/privacy.ts';
import { getWebRuntime } from '../../lib/web/web-runtime.ts';

export const metadata: Metadata = { title: 'Admin · Clickstream' };

export default async function AdminPage() {
  await connection();
  const signedIn = await pageReaderSignedIn();
  return (
    <>
      <div className="page-header">
        <h1>Admin</h1>
        <p className="lede">
          Pipeline health from the workers, the messages they refused, and the batch-layer jobs.
        </p>
      </div>

      <AdminSession />
      <SessionsPanel />

      <h2 className="section-title">Pipeline health</h2>
      <PipelineHealth initialSnapshot={snapshotFor(getWebRuntime().poller.latest(), signedIn)} />

      <h2 className="section-title">Dead-letter store</h2>
      <DeadLetters />

      <h2 className="section-title">Batch layer</h2>
      <div data-testid="slot-lake-export">
        <LakeExportPanel />
      </div>
      <div data-testid="slot-models">
        <ModelsPanel />
      </div>
    </>
  );
}
