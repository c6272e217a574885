/**
 * The dashboard's shipped systemd unit (apps/web/systemd/keepwatch-dashboard.service): the node
 * settings it runs the dashboard with, so the benchmarks measure the service as installed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT = readFileSync(
  fileURLToPath(new URL('../../apps/web/systemd/keepwatch-dashboard.service', import.meta.url)),
  'utf8',
);

/** `Environment=NODE_OPTIONS=…` of the unit ('' when it sets none). */
export const UNIT_NODE_OPTIONS = /^Environment=NODE_OPTIONS=(.*)$/m.exec(UNIT)?.[1] ?? '';

/** The node flags of the unit's `ExecStart=` (those between node and the script). */
export const UNIT_NODE_ARGS: string[] = (() => {
  const argv = /^ExecStart=(.*)$/m.exec(UNIT)?.[1]?.trim().split(/\s+/) ?? [];
  const script = argv.findIndex((a) => a.endsWith('server.mjs'));
  return script > 1 ? argv.slice(1, script) : [];
})();
