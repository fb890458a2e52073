// The frame around every page: document metadata, global styles, client providers and the nav.
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { NavBar } from '@/components/NavBar';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Clickstream',
  description: 'First-click attribution on an e-commerce click stream, live.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
