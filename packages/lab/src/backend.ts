import { join } from 'node:path';
import type { Lab, Spawned } from './lab.js';
import { assetPath } from './assets.js';
import { waitFor } from './poll.js';

/**
 * Starts a tiny web backend on a lab host that answers every request with `name`, and waits
 * until it answers from inside the host. Returns the spawned process (stop it with `lab.stop`).
 */
export async function startBackend(lab: Lab, host: string, name: string, port = 80): Promise<Spawned> {
  const proc = lab.spawn(host, process.execPath, [assetPath('backend.mjs'), name, String(port)], {
    logFile: join(lab.host(host).dir, `backend-${name}.log`),
    what: `backend ${name}`,
  });
  const addr = lab.host(host).ipv4[0]?.split('/')[0] ?? '127.0.0.1';
  await waitFor(async () => (await lab.httpGet(host, `http://${addr}:${port}/`, 1000))?.trim() === name, {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: `backend ${name} on ${host}:${port}`,
  });
  return proc;
}
