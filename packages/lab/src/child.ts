import type { ChildProcess } from 'node:child_process';
import { waitFor } from './poll.js';

/** SIGTERM to a child of this process, then a bounded wait for its exit; SIGKILL when it takes longer. */
export async function stopChild(child: ChildProcess, what: string, graceMs = 10_000): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, {
    timeoutMs: graceMs,
    what: `${what} to exit`,
  }).catch(() => child.kill('SIGKILL'));
}
