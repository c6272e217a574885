/** The dashboard as a child process: apps/web/server.ts (production build) through tsx. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@keepwatch/lab';

export const WEB_DIR = fileURLToPath(new URL('../../apps/web/', import.meta.url));

export type DashboardProcess = {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

/**
 * Starts the dashboard. `logFile`: its JSON log goes there (the demo keeps the terminal for
 * itself); without it the dashboard writes to this terminal.
 */
export function startDashboardProcess(env: NodeJS.ProcessEnv, logFile?: string): DashboardProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: WEB_DIR,
    env: { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (logFile) {
    const out = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref()),
      ]);
      if (!done) child.kill('SIGKILL');
    },
  };
}

/** Waits until the dashboard answers on `base` (bounded), or throws when it exits first. */
export async function waitAnswering(base: string, proc: DashboardProcess, timeoutMs = 120_000): Promise<void> {
  const outcome = await waitFor(
    async () =>
      proc.child.exitCode !== null ? 'exited' : (await fetch(base).catch(() => null))?.ok ? 'up' : undefined,
    { timeoutMs, intervalMs: 250, what: 'the dashboard to answer' },
  );
  if (outcome === 'exited') throw new Error(`the dashboard exited with code ${proc.child.exitCode}`);
}
