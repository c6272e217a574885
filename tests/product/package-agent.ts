import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { isAlive, REF, throughVip, waitAgentStarted, waitServed, type Lab, type Spawned } from '@keepwatch/lab';
import { REPO } from '../support/repo.js';

/**
 * `npm run package:agent`, as a user runs it (turbo builds the agent first); resolves with the
 * tarball's path (the script's last line). A failure carries the script's own output. Files run
 * two at a time, so the build holds a lock (`flock`): the second waits and finds it up to date.
 * It runs at nice 10: two minutes of xz must not slow the timing the file beside it measures.
 */
export function packageAgent(timeoutMs = 600_000): Promise<string> {
  const lock = join(REPO, 'node_modules', '.cache', 'keepwatch-package-agent.lock');
  mkdirSync(dirname(lock), { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(
      'nice',
      ['-n', '10', 'flock', lock, 'npm', 'run', '--silent', 'package:agent'],
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `npm run package:agent failed (${err.message.split('\n')[0]}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
            ),
          );
        else resolve(stdout.trim().split('\n').at(-1) ?? '');
      },
    );
  });
}

/**
 * Stops a packaged agent the test started in `lab` (SIGTERM, as systemd would: it gives its VIP
 * up) and tears the lab down: a test's afterAll, so neither may be there yet.
 */
export async function stopAgentAndLab(lab: Lab | undefined, agent: Spawned | undefined): Promise<void> {
  if (agent && lab && isAlive(agent.pid))
    await lab.stop(agent.pid, { sig: 'SIGTERM', graceMs: 8000 }).catch(() => undefined);
  await lab?.teardown();
}

/**
 * Waits for a packaged agent `pid` (its log read by `log`) on a one-LB lab to start, hold the VIP
 * and serve through it (web1, the lab's one backend), and checks that it logged becoming master.
 */
export async function expectServingMaster(lab: Lab, pid: number, log: () => string, what: string): Promise<void> {
  await waitAgentStarted(pid, log, what);
  await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  await waitServed(lab);
  expect(await throughVip(lab, 3)).toEqual(['web1', 'web1', 'web1']);
  expect(log()).toMatch(/"state":"master"[^\n]*"vrrp transition"/);
}
