'use client';
// Client-side context for the whole app: one TanStack Query cache per browser tab, created once
// (not per render) so cached queries survive re-renders and navigation.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        // Live figures arrive over socket.io; refetching on focus would only duplicate them.
        defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false } },
      }),
  );
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
