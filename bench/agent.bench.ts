// Agent footprint and takeover benchmark (issue 16, items 1-3): the agent's single executable
// (its production form, dist/keepwatch-agent-<version>-linux-x64) beside keepalived 2.2.7, in one run.
//
//   npm run bench -- agent [--only steady,takeover,scale] [--steady 60] [--runs 5]
//                          [--scale 10,50,100,200] [--scale-steady 20] [--exe PATH]
//
// - steady: the reference scenario at v2 1 s; after a 5 s warm-up, `--steady` s: CPU seconds of
//   the daemon itself (keepalived: parent + VRRP child; check scripts' reaped CPU apart), RSS and
//   PSS (/proc/PID/smaps_rollup) on the master (lb1) and the backup (lb2); with the reference check
//   script (a vrrp_script for both) and with the agent's built-in nginx check.
// - takeover: v3 0.1 s, the master's daemon SIGKILLed at a random point of the advert cycle; the old
//   master's last advert → the new master's first, as an advert listener on the client sees them.
// - scale: N instances (v3 0.1 s, 2 VIPs each) on the pair: CPU per node over `--scale-steady` s,
//   the spacing of the master's adverts per instance on the wire, then the master SIGKILLed: per
//   instance last advert → the new master's first, and the kill → the last instance's first advert.
// The load average (1 min) is recorded with every figure. A table on stdout, JSON under bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@keepwatch/lab';
import { executablePath } from '../scripts/package-agent/sea.mjs';
import { REF, benchLab, usage, type BenchLab, type Impl, type Lb, type Setup } from './support/agent-lab.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'apps/agent/package.json'), 'utf8')) as { version: string })
  .version;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ONLY = (arg('only') ?? 'steady,takeover,scale').split(',');
const STEADY_S = Number(arg('steady') ?? 60);
const RUNS = Number(arg('runs') ?? 5);
const SCALE = (arg('scale') ?? '10,50,100,200').split(',').map(Number);
const SCALE_STEADY_S = Number(arg('scale-steady') ?? 20);
const IMPLS: Impl[] = ['keepalived', 'keepwatch'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const load = () => Math.round(loadavg()[0]! * 100) / 100;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);
/** Master_Down_Interval of the backup (priority 80), RFC 5798 §6.1. */
const masterDown = (intervalMs: number) => 3 * intervalMs + ((256 - 80) * intervalMs) / 256;

const results: Record<string, unknown[]> = { steady: [], takeover: [], scale: [] };
const table: string[] = [];

/** Waits until, over the last 600 ms, `lb`'s adverts cover VRIDs `vrids` and no other host adverts them. */
async function waitMaster(b: BenchLab, lb: Lb, vrids: number[], timeoutMs: number): Promise<void> {
  const src = lb === 'lb1' ? REF.lb1 : REF.lb2;
  await waitFor(
    () => {
      const t = now() - 600;
      const recent = b.adverts().filter((a) => a.t > t && a.priority > 0);
      const from = new Set(recent.filter((a) => a.src === src).map((a) => a.vrid));
      return vrids.every((v) => from.has(v)) && recent.every((a) => a.src === src) ? true : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `${lb} to be master of ${vrids.length} instance(s)` },
  );
}

async function steady(exe: string): Promise<void> {
  for (const check of ['script', 'nginx'] as const) {
    for (const impl of IMPLS) {
      if (impl === 'keepalived' && check === 'nginx') continue; // keepalived has no built-in check
      const b = await benchLab(impl, { kind: 'reference', version: 2, advertIntervalMs: 1000, check }, exe);
      try {
        await b.start('lb1');
        await b.start('lb2');
        await waitMaster(b, 'lb1', [51], 20_000);
        await sleep(5000);
        const before = { lb1: usage(b.pids('lb1')), lb2: usage(b.pids('lb2')) };
        await sleep(STEADY_S * 1000);
        const row: Record<string, unknown> = { impl, check, seconds: STEADY_S, load1: load() };
        for (const lb of ['lb1', 'lb2'] as const) {
          const u = usage(b.pids(lb));
          row[lb] = {
            cpuSPerMin: round(((u.cpuSeconds - before[lb].cpuSeconds) * 60) / STEADY_S, 3),
            childCpuSPerMin: round(((u.childCpuSeconds - before[lb].childCpuSeconds) * 60) / STEADY_S, 3),
            rssMb: round(u.rssKb / 1024),
            pssMb: round(u.pssKb / 1024),
          };
        }
        results.steady!.push(row);
        const m = row.lb1 as { cpuSPerMin: number; childCpuSPerMin: number; rssMb: number; pssMb: number };
        const s = row.lb2 as typeof m;
        const line =
          `steady ${check.padEnd(6)} ${impl.padEnd(10)} master: CPU ${m.cpuSPerMin} s/min (checks ${m.childCpuSPerMin}), ` +
          `RSS ${m.rssMb} MB, PSS ${m.pssMb} MB; backup: CPU ${s.cpuSPerMin} s/min, RSS ${s.rssMb} MB, PSS ${s.pssMb} MB; load ${row.load1}`;
        console.log(line);
        table.push(line);
      } finally {
        await b.teardown();
      }
    }
  }
}

async function takeover(exe: string): Promise<void> {
  const setup: Setup = { kind: 'reference', version: 3, advertIntervalMs: 100, check: 'script' };
  for (const impl of IMPLS) {
    const b = await benchLab(impl, setup, exe);
    const runs: { ms: number; load1: number }[] = [];
    try {
      await b.start('lb1');
      await b.start('lb2');
      for (let i = 0; i < RUNS; i++) {
        await waitMaster(b, 'lb1', [51], 20_000);
        await sleep(500 + Math.random() * 100);
        const t0 = now();
        await b.kill('lb1');
        const first = await waitFor(() => b.adverts().find((a) => a.src === REF.lb2 && a.t > t0 && a.priority > 0), {
          timeoutMs: 10_000,
          intervalMs: 5,
          what: 'the new master advert',
        });
        const last = b
          .adverts()
          .filter((a) => a.src === REF.lb1 && a.t < first.t)
          .at(-1);
        runs.push({ ms: last ? round(first.t - last.t) : NaN, load1: load() });
        await b.start('lb1'); // preempts back (priority 100)
      }
    } finally {
      await b.teardown();
    }
    const ms = runs.map((r) => r.ms);
    const row = { impl, runs, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms) };
    results.takeover!.push(row);
    const line =
      `takeover v3 0.1s ${impl.padEnd(10)} last → first advert: median ${row.medianMs} ms, min ${row.minMs}, max ${row.maxMs} ` +
      `(${runs.length} runs; Master_Down_Interval ${masterDown(100)} ms; load ${runs.map((r) => r.load1).join('/')})`;
    console.log(line);
    table.push(line);
  }
}

async function scale(exe: string, n: number, impl: Impl): Promise<void> {
  const intervalMs = 100;
  const vrids = Array.from({ length: n }, (_, k) => k + 1);
  const b = await benchLab(impl, { kind: 'scale', n, advertIntervalMs: intervalMs }, exe);
  try {
    await b.start('lb1');
    await sleep(500);
    await b.start('lb2');
    await waitMaster(b, 'lb1', vrids, 30_000);
    await sleep(3000);
    const before = { lb1: usage(b.pids('lb1')), lb2: usage(b.pids('lb2')) };
    const w0 = now();
    await sleep(SCALE_STEADY_S * 1000);
    const w1 = now();
    const after = { lb1: usage(b.pids('lb1')), lb2: usage(b.pids('lb2')) };
    const load1 = load();
    const cpu = (lb: Lb) => round(((after[lb].cpuSeconds - before[lb].cpuSeconds) * 60) / SCALE_STEADY_S, 2);
    // Spacing of the master's adverts, per instance, over the measured window.
    const byVrid = new Map<number, number[]>();
    for (const a of b.adverts()) {
      if (a.src !== REF.lb1 || a.t < w0 || a.t > w1) continue;
      const ts = byVrid.get(a.vrid) ?? [];
      ts.push(a.t);
      byVrid.set(a.vrid, ts);
    }
    const gaps: number[] = [];
    for (const ts of byVrid.values()) for (let i = 1; i < ts.length; i++) gaps.push(ts[i]! - ts[i - 1]!);
    // The master SIGKILLed: every instance moves.
    await sleep(Math.random() * intervalMs);
    const t0 = now();
    await b.kill('lb1');
    const firsts = await waitFor(
      () => {
        const m = new Map<number, number>();
        for (const a of b.adverts())
          if (a.src === REF.lb2 && a.t > t0 && a.priority > 0 && !m.has(a.vrid)) m.set(a.vrid, a.t);
        return m.size >= n ? m : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `lb2 to take over ${n} instances` },
    );
    const lastOld = new Map<number, number>();
    for (const a of b.adverts()) if (a.src === REF.lb1 && a.t < t0 + 50) lastOld.set(a.vrid, a.t);
    const moves = vrids.map((v) => firsts.get(v)! - (lastOld.get(v) ?? NaN));
    const row = {
      impl,
      instances: n,
      load1,
      cpuSPerMin: { lb1: cpu('lb1'), lb2: cpu('lb2') },
      rssMb: { lb1: round(after.lb1.rssKb / 1024), lb2: round(after.lb2.rssKb / 1024) },
      spacingMs: { p50: round(median(gaps)), p99: round(quantile(gaps, 0.99)), max: round(Math.max(...gaps)) },
      advertsPerInstance: round(gaps.length / Math.max(1, byVrid.size) / SCALE_STEADY_S, 2),
      moveMs: { p50: round(median(moves)), p99: round(quantile(moves, 0.99)), max: round(Math.max(...moves)) },
      killToAllMs: round(Math.max(...firsts.values()) - t0),
      loadAfterKill: load(),
    };
    results.scale!.push(row);
    const line =
      `scale ${String(n).padStart(3)} ${impl.padEnd(10)} CPU master ${row.cpuSPerMin.lb1} / backup ${row.cpuSPerMin.lb2} s/min, ` +
      `RSS ${row.rssMb.lb1}/${row.rssMb.lb2} MB; spacing p50 ${row.spacingMs.p50} p99 ${row.spacingMs.p99} max ${row.spacingMs.max} ms; ` +
      `move p50 ${row.moveMs.p50} p99 ${row.moveMs.p99} max ${row.moveMs.max} ms, kill → all ${row.killToAllMs} ms; load ${load1}`;
    console.log(line);
    table.push(line);
  } finally {
    await b.teardown();
  }
}

async function main(): Promise<void> {
  // The executable, built if missing or stale (fast when up to date); `--exe PATH`: a copy instead.
  if (!arg('exe'))
    execFileSync(process.execPath, [join(REPO, 'scripts/package-agent.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const exe = arg('exe') ?? executablePath(REPO, VERSION);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  const startedAt = new Date().toISOString();
  if (ONLY.includes('steady')) await steady(exe);
  if (ONLY.includes('takeover')) await takeover(exe);
  if (ONLY.includes('scale')) {
    for (const n of SCALE) {
      for (const impl of IMPLS) {
        try {
          await scale(exe, n, impl);
        } catch (e) {
          console.error(`scale ${n} ${impl}: ${(e as Error).message}`);
          results.scale!.push({ impl, instances: n, error: (e as Error).message });
        }
      }
    }
  }
  console.log(`\n${table.join('\n')}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `agent-${startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ commit, startedAt, steadyS: STEADY_S, scaleSteadyS: SCALE_STEADY_S, results }, null, 1),
  );
  console.log(`results: ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
