'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api, apiProblem } from '~/trpc/client';
import { Button, ErrorAlert, FormInput } from '../_components/ui';
import { ME_KEY } from '../_components/session';
import { ThemeToggle } from '../_components/theme';

export default function LoginPage() {
  const router = useRouter();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api.session.login.mutate({
        username: String(form.get('username') ?? ''),
        password: String(form.get('password') ?? ''),
      });
      await qc.invalidateQueries({ queryKey: ME_KEY });
      router.replace('/');
    } catch (err) {
      setError(apiProblem(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="mx-auto mt-16 max-w-sm px-4 sm:mt-24">
      <div className="mb-6 flex items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Keepwatch</h1>
        <ThemeToggle />
      </div>
      <form
        onSubmit={submit}
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-700 dark:bg-slate-900"
        aria-labelledby="signin"
      >
        <h2 id="signin" className="text-lg font-medium">
          Sign in
        </h2>
        <ErrorAlert message={error} />
        <FormInput id="username" label="Username" name="username" autoComplete="username" required autoFocus />
        <FormInput
          id="password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <Button type="submit" tone="primary" disabled={busy} className="w-full justify-center py-2">
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
