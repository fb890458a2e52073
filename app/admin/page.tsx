// Operator tools: pipeline health (workers, partitions, lag, watermarks) live from the workers,
// the dead-letter store, and the places where the lake export and model runs will appear.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { AdminSession } from '@/components/admin/AdminSession';
import { DeadLetters } from '@/components/admin/DeadLetters';
import { PipelineHealth } from '@/components/admin/PipelineHealth';
import { getWebRuntime } from '@/lib/web/web-runtime';

export const metadata: Metadata = { title: 'Admin · Clickstream' };

export default async function AdminPage() {
  await connection();
  return (
    <>
      <div className="page-header">
        <h1>Admin</h1>
        <p className="lede">
          Pipeline health from the workers, the messages they refused, and the batch-layer jobs.
        </p>
      </div>

      <AdminSession />

      <h2 className="section-title">Pipeline health</h2>
      <PipelineHealth initialSnapshot={getWebRuntime().poller.latest()} />

      <h2 className="section-title">Dead-letter store</h2>
      <DeadLetters />

      <h2 className="section-title">Batch layer</h2>
      <div className="grid-2">
        <section className="card slot" data-testid="slot-lake-export">
          <h3 className="card-title">Lake export</h3>
          <p className="muted">
            The daily export of the topics to Delta Lake (exactly once) will be started and followed
            here: last runs, rows and files written, offsets covered.
          </p>
          <span className="badge badge--muted">coming with the batch layer</span>
        </section>
        <section className="card slot" data-testid="slot-models">
          <h3 className="card-title">Models</h3>
          <p className="muted">
            dbt model runs that recompute attribution from the lake, and their reconciliation with
            the speed layer, will be started and compared here.
          </p>
          <span className="badge badge--muted">coming with the models</span>
        </section>
      </div>
    </>
  );
}
