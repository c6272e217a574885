'use client';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { api } from '~/trpc/client';
import { Badge, Banner, Button, Loading, linkClass } from '../_components/ui';
import { useMe } from '../_components/session';

/** Every dashboard page: signed in, with the user and role shown and a way out. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const path = usePathname();
  const qc = useQueryClient();

  useEffect(() => {
    if (me.isSuccess && me.data === null) router.replace('/login');
  }, [me.isSuccess, me.data, router]);

  async function signOut() {
    await api.session.logout.mutate().catch(() => undefined);
    qc.clear();
    router.replace('/login');
  }

  const nav = [
    { href: '/', label: 'Clusters', active: path === '/' || path.startsWith('/clusters') },
    { href: '/audit', label: 'Audit log', active: path.startsWith('/audit') },
  ];

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-2">
          <Link href="/" className={`text-lg font-semibold tracking-tight ${linkClass} text-slate-900! no-underline! dark:text-slate-100!`}>
            Keepwatch
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            {nav.map((n) => (
              <Link
                key={n.href}
                href={n.href}
                aria-current={n.active ? 'page' : undefined}
                className={`rounded px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${n.active ? 'bg-slate-200 font-medium dark:bg-slate-700' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
              >
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2 text-sm">
            {me.data && (
              <>
                <span data-testid="whoami">
                  {me.data.username} <Badge tone="unknown">{me.data.role}</Badge>
                </span>
                <Button tone="ghost" onClick={signOut}>
                  Sign out
                </Button>
              </>
            )}
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-4">
        {me.isError && (
          <Banner tone="error" role="alert">
            Cannot reach the dashboard API: {me.error.message}
          </Banner>
        )}
        {me.isPending && <Loading what="session" />}
        {me.data && children}
      </main>
    </div>
  );
}
