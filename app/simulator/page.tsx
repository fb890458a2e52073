// The traffic simulator: seeds reference data, sends live clicks and checkouts to Kafka with the
// chosen rate, mix and channel mix, and backfills past hours. Controls need the admin sign-in; the status is
// open and live.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { SimulatorPanel } from '../../components/simulator/SimulatorPanel.tsx';
import { getWebRuntime } from '../../lib/web/web-runtime.ts';

export const metadata: Metadata = { title: 'Simulator · Clickstream' };

export default async function SimulatorPage() {
  await connection();
  return (
    <>
      <div className="page-header">
        <h1>Simulator</h1>
        <p className="lede">
          Sends a realistic stream of clicks and checkouts to Kafka, with campaign traffic from a
          channel mix you choose (or the original generator&apos;s plain URLs), late, duplicate and
          malformed events mixed in on demand, and renames a few users as it runs.
        </p>
      </div>
      <SimulatorPanel initialStatus={getWebRuntime().simulator.status()} />
    </>
  );
}
