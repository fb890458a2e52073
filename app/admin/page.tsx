// Placeholder: operator tools (dead letters, replay, lake export, layer comparison) come in a
// later issue, behind ADMIN_TOKEN.
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Admin · Clickstream' };

export default function AdminPage() {
  return (
    <div className="page-header">
      <h1>Admin</h1>
      <p className="lede">
        Here operators will inspect dead letters, run the lake export, and compare the speed layer
        with the batch layer.
      </p>
    </div>
  );
}
