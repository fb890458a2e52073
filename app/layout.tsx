// The frame around every page: document metadata, global styles, client providers and the nav.
// Every page is rendered per request: each response's Content-Security-Policy carries a fresh
// nonce (server.ts), which Next can only put on the scripts of a page it renders now.
import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { NavBar } from '../components/NavBar.tsx';
import { Providers } from './providers.tsx';
// Global styles by area; the order is the cascade's.
import './styles/base.css';
import './styles/topbar.css';
import './styles/page.css';
import './styles/utilities.css';
import './styles/badges.css';
import './styles/tables.css';
import './styles/charts.css';
import './styles/forms.css';
import './styles/simulator.css';
import './styles/checkout.css';
import './styles/admin.css';

export const metadata: Metadata = {
  title: 'Clickstream',
  description: 'First-click attribution on an e-commerce click stream, live.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>
          <NavBar />
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
