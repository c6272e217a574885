// Chaos soak (issue #14, item 5): a 3-node cluster (keepwatch-agent on lb1–lb3, VRRPv3 at 0.1 s,
// enrolled in a real dashboard on PostgreSQL), a seeded schedule of faults played one after
// another — link down/up, partition of one node, agent SIGKILL with and without restart, nginx
// SIGKILL, nginx made unstartable, dashboard stop/start, PostgreSQL restart, dashboard edits,
// promote/release, maintenance — and the client watching: VRRP adverts on the wire (tcpdump), a
// 20 req/s probe through the VIP, the dashboard's master every 0.5 s. The invariants and their
// bounds are in @keepwatch/lab's chaos observer; a violation is printed with the seed and its
// time from the soak's start, so the same seed replays it.
//
//   npm run bench -- chaos [--seed 1] [--minutes 30] [--margin 500]
//
// JSON under bench/results/ (every fault with its times, every violation, per-fault figures).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChaos } from '@keepwatch/lab';
import { numberArg } from './support/args.js';

const seed = numberArg('seed', 1);
const minutes = numberArg('minutes', 30);
const margin = numberArg('margin', 500);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const loadBefore = loadavg();
const elapsed = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
const t0 = Date.now();

const report = await runChaos({
  seed,
  durationMs: minutes * 60_000,
  loadMarginMs: margin,
  log: (line) => console.log(`[${elapsed(t0)}] ${line}`),
});
const loadAfter = loadavg();

console.log(`\nchaos soak: seed ${seed}, ${minutes} min, commit ${commit}, started ${report.startedAt}`);
console.log(
  `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(
  `bounds: settle ${report.bounds.settleMs} ms (Master_Down_Interval ${report.bounds.masterDownMs} + 1000 + margin ${report.bounds.loadMarginMs}), dashboard ${report.bounds.dashboardSettleMs ?? 2000} + margin`,
);
console.log(`faults injected: ${report.faults.length} ${JSON.stringify(report.byKind)}`);
console.log(`injection errors: ${report.injectionErrors.length}`);
for (const e of report.injectionErrors) console.log(`  ${e}`);
console.log(`probe: ${report.probe.total} requests, ${report.probe.failed} failed; ${report.adverts} adverts seen`);
console.log(`worst recovery after a fault ended: ${JSON.stringify(report.worstRecovery)}`);
console.log(`longest outage in a fault's window: ${JSON.stringify(report.worstOutage)}`);
console.log(`integrity: ${JSON.stringify(report.integrity)}`);
console.log(`violations: ${report.violations.length}`);
for (const v of report.violations)
  console.log(`  seed ${v.seed} t=${v.atS}s ${v.invariant} (${v.durationMs} ms): ${v.detail}`);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = join(dir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ commit, minutes, loadBefore, loadAfter, ...report }, null, 2));
console.log(`\n${file}`);
process.exit(report.violations.length === 0 && report.integrity.problems.length === 0 ? 0 : 1);
