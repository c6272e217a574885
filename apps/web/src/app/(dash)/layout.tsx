'use client';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '~/trpc/client';
import { Badge, Button, FOCUS, QueryStatus } from '../_components/ui';
import { useMe } from '../_components/session';
import { ThemeToggle } from '../_components/theme';

/** Closes a popup on Escape or a click outside it, and gives focus back to its button on Escape. */
function useDismiss(
  open: boolean,
  close: () => void,
  box: React.RefObject<HTMLElement | null>,
  button: React.RefObject<HTMLElement | null>,
) {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      close();
      button.current?.focus();
    };
    const onClick = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as globalThis.Node)) close();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open, close, box, button]);
}

function UserMenu({ username, role, onSignOut }: { username: string; role: string; onSignOut: () => void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useDismiss(open, () => setOpen(false), box, button);
  return (
    <div ref={box} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="user-menu"
        aria-label={`Account: ${username}, ${role}`}
        onClick={() => setOpen((o) => !o)}
        className={`flex items-center gap-1.5 rounded px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800 ${FOCUS}`}
      >
        <span data-testid="whoami" className="flex items-center gap-1.5">
          <span className="max-w-32 truncate font-medium">{username}</span> <Badge tone="unknown">{role}</Badge>
        </span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          id="user-menu"
          className="absolute right-0 z-40 mt-1 w-56 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="px-2 py-1">
            Signed in as <strong>{username}</strong>
            <span className="block text-slate-600 dark:text-slate-300">Role: {role}</span>
          </p>
          <div className="my-1 border-t border-slate-200 dark:border-slate-700" />
          <Button tone="ghost" className="w-full justify-start" onClick={onSignOut}>
            Sign out
          </Button>
        </div>
      )}
    </div>
  );
}

/** Every dashboard page: signed in, with navigation, the user and role shown and a way out. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const path = usePathname();
  const qc = useQueryClient();
  const [navOpen, setNavOpen] = useState(false);

  useEffect(() => {
    if (me.isSuccess && me.data === null) router.replace('/login');
  }, [me.isSuccess, me.data, router]);
  // A phone's menu closes once the user has gone somewhere.
  useEffect(() => setNavOpen(false), [path]);

  async function signOut() {
    await api.session.logout.mutate().catch(() => undefined);
    qc.clear();
    router.replace('/login');
  }

  const nav = [
    { href: '/', label: 'Overview', active: path === '/' || path.startsWith('/clusters') },
    { href: '/nodes', label: 'Nodes', active: path.startsWith('/nodes') },
    { href: '/certificates', label: 'Certificates', active: path.startsWith('/certificates') },
    { href: '/audit', label: 'Audit log', active: path.startsWith('/audit') },
    ...(me.data?.role === 'admin' ? [{ href: '/users', label: 'Users', active: path.startsWith('/users') }] : []),
  ];
  const links = (vertical: boolean) =>
    nav.map((n) => (
      <Link
        key={n.href}
        href={n.href}
        aria-current={n.active ? 'page' : undefined}
        className={`rounded px-2 py-1 text-sm ${vertical ? 'block py-2' : ''} ${FOCUS} ${n.active ? 'bg-slate-200 font-medium dark:bg-slate-700' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
      >
        {n.label}
      </Link>
    ));

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className={`sr-only rounded bg-white px-3 py-2 text-sm focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 dark:bg-slate-900 ${FOCUS}`}
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-2 md:gap-6">
          <Link
            href="/"
            className={`rounded text-lg font-semibold tracking-tight text-slate-900 dark:text-slate-100 ${FOCUS}`}
          >
            Keepwatch
          </Link>
          <nav aria-label="Main" className="hidden gap-1 md:flex">
            {links(false)}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            <div className="hidden sm:block">
              <ThemeToggle />
            </div>
            {me.data && <UserMenu username={me.data.username} role={me.data.role} onSignOut={() => void signOut()} />}
            <button
              type="button"
              className={`rounded border border-slate-300 px-2 py-1 text-sm md:hidden dark:border-slate-600 ${FOCUS}`}
              aria-expanded={navOpen}
              aria-controls="mobile-nav"
              onClick={() => setNavOpen((o) => !o)}
            >
              Menu
            </button>
          </div>
        </div>
        {navOpen && (
          <div id="mobile-nav" className="border-t border-slate-200 px-4 py-2 md:hidden dark:border-slate-800">
            <nav aria-label="Main (menu)" className="flex flex-col">
              {links(true)}
            </nav>
            <div className="mt-2 sm:hidden">
              <ThemeToggle />
            </div>
          </div>
        )}
      </header>
      <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-4">
        <QueryStatus query={me} what="your session" />
        {me.data && children}
      </main>
    </div>
  );
}
