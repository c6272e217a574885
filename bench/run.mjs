// Runs every benchmark in this folder in turn (*.bench.ts, with tsx), one at a time so they do
// not compete for the machine's two cores.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
// `node run.mjs NAME [options]`: only the benchmarks whose file name contains NAME, with the
// options passed on to them (from the root: `npm run bench -- NAME --option value`).
const only = process.argv[2]?.startsWith('--') ? undefined : process.argv[2];
const passOn = process.argv.slice(only ? 3 : 2);
const all = readdirSync(here).filter((f) => f.endsWith('.bench.ts'));
// An exact name (`agent`) runs that file alone, not every file containing it (agent-start).
const files = all.includes(`${only}.bench.ts`)
  ? [`${only}.bench.ts`]
  : all.filter((f) => !only || f.includes(only)).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, f), ...passOn], { stdio: 'inherit', cwd: here });
  if (r.status !== 0) failed++;
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed ? 1 : 0);
