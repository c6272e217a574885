import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { QueryProvider } from '~/trpc/provider';
import './globals.css';

export const metadata: Metadata = {
  title: 'Keepwatch',
  description: 'Highly available nginx load balancers: live VIP ownership, failover, upstream pools, audit.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
