// Idle memory of the dashboard as production runs it (issue 16, item 4): the compiled server
// (`node apps/web/dist/server.mjs serve`, the shipped unit's NODE_OPTIONS) on
//   postgresql — a throw-away PostgreSQL server (DATABASE_URL), counted apart: the goal is the
//                dashboard's own RSS (≤ 200 MB);
//   embedded   — no DATABASE_URL: the dashboard's own PostgreSQL server in a fresh data folder,
//                counted in: dashboard RSS + the PSS of the server's processes (they share their
//                pages, so their RSS would count the same pages several times) (≤ 250 MB).
// Each run: start, the login page served once, `--idle-seconds` (15) of nothing, then read
// /proc. `--runs` (5) runs of both, alternating; medians. Figures on stdout, JSON under results/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, PG_BIN, pgUrl, startTestPostgres, stopChild, waitFor } from '@keepwatch/lab';
import { arg, numberArg } from './support/args.js';
import { UNIT_NODE_ARGS, UNIT_NODE_OPTIONS } from './support/unit.js';
import { procStat } from './support/control-plane.js';

const RUNS = numberArg('runs', 5);
const IDLE_S = numberArg('idle-seconds', 15);
const WEB = fileURLToPath(new URL('../apps/web/', import.meta.url));
const NODE_OPTIONS = arg('node-options') ?? UNIT_NODE_OPTIONS;
const NODE_ARGS = arg('node-args')?.split(' ').filter(Boolean) ?? UNIT_NODE_ARGS;
const GOALS_MB = { postgresql: 200, embedded: 250 } as const;
const ADMIN = { username: 'admin', password: 'a long admin password' };

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/** Proportional set size of one process, kB (its share of pages it shares with others). */
function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The live descendants of `root` (not root itself). */
function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    const s = /^\d+$/.test(e) ? procStat(Number(e)) : null;
    if (s) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), Number(e)]);
  }
  const out: number[] = [];
  const todo = [...(byParent.get(root) ?? [])];
  for (let guard = 0; todo.length > 0 && guard < 10_000; guard++) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

interface Reading {
  dashboardRssMb: number;
  serverPssMb: number;
  serverProcesses: number;
  totalMb: number;
}

async function once(mode: 'postgresql' | 'embedded', databaseUrl: string | undefined): Promise<Reading> {
  const dir = mkdtempSync(join(tmpdir(), `keepwatch-idle-${mode}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...NODE_ARGS, 'dist/server.mjs', 'serve'], {
    cwd: WEB,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS,
      PORT: String(port),
      HOST: '127.0.0.1',
      KEEPWATCH_DATA_DIR: join(dir, 'data'),
      KEEPWATCH_SECRET_KEY_FILE: join(dir, 'secret.key'),
      KEEPWATCH_ADMIN_USERNAME: ADMIN.username,
      KEEPWATCH_ADMIN_PASSWORD: ADMIN.password,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  try {
    const exited = new Promise<never>((_, fail) =>
      child.once('exit', (code) => fail(new Error(`the ${mode} dashboard exited (${code}): ${stderr}`))),
    );
    exited.catch(() => {}); // stopping it below is no failure
    await Promise.race([
      exited,
      waitFor(async () => (await fetch(`${base}/login`).catch(() => null))?.status === 200, {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: `the ${mode} dashboard to serve /login`,
      }),
    ]);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const pid = child.pid as number;
    const server = mode === 'embedded' ? descendants(pid) : [];
    const dashboardRssMb = (procStat(pid)?.rssKb ?? NaN) / 1024;
    const serverPssMb = server.reduce((sum, p) => sum + pssKb(p), 0) / 1024;
    return {
      dashboardRssMb: round(dashboardRssMb),
      serverPssMb: round(serverPssMb),
      serverProcesses: server.length,
      totalMb: round(dashboardRssMb + serverPssMb),
    };
  } finally {
    await stopChild(child, `the ${mode} dashboard`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pg = startTestPostgres();
  const loadBefore = loadavg().map((x) => round(x, 2));
  const readings: Record<'postgresql' | 'embedded', Reading[]> = { postgresql: [], embedded: [] };
  try {
    const createdb = join(PG_BIN, 'createdb');
    for (let run = 0; run < RUNS; run++) {
      const db = `idle${run}`;
      spawnCreatedb(createdb, pg, db);
      for (const mode of run % 2 === 0
        ? (['postgresql', 'embedded'] as const)
        : (['embedded', 'postgresql'] as const)) {
        const r = await once(mode, mode === 'postgresql' ? pgUrl(pg, db) : undefined);
        readings[mode].push(r);
        console.log(`run ${run + 1} ${mode}: ${JSON.stringify(r)}`);
      }
    }
  } finally {
    pg.stop();
  }
  const load = { before: loadBefore, after: loadavg().map((x) => round(x, 2)) };
  console.log(
    `\ndashboard idle memory, ${RUNS} runs, NODE_OPTIONS '${NODE_OPTIONS}', node ${NODE_ARGS.join(' ')}, load ${JSON.stringify(load)}`,
  );
  const summary: Record<string, unknown> = {};
  for (const mode of ['postgresql', 'embedded'] as const) {
    const totals = readings[mode].map((r) => r.totalMb);
    const m = median(totals);
    summary[mode] = { medianMb: m, minMb: Math.min(...totals), maxMb: Math.max(...totals), goalMb: GOALS_MB[mode] };
    const parts =
      mode === 'embedded'
        ? ` (dashboard RSS median ${median(readings[mode].map((r) => r.dashboardRssMb))} + server PSS median ${median(readings[mode].map((r) => r.serverPssMb))})`
        : '';
    console.log(
      `  ${mode}: median ${m} MB (${Math.min(...totals)}–${Math.max(...totals)})${parts}; goal ≤ ${GOALS_MB[mode]} MB: ${m <= GOALS_MB[mode] ? 'met' : 'MISSED'}`,
    );
  }
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(
    `${out}dashboard-idle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    JSON.stringify(
      { runs: RUNS, idleSeconds: IDLE_S, nodeOptions: NODE_OPTIONS, nodeArgs: NODE_ARGS, load, readings, summary },
      null,
      1,
    ),
  );
}

function spawnCreatedb(createdb: string, pg: { socketDir: string; port: number }, db: string): void {
  const r = spawnSync(createdb, ['-h', pg.socketDir, '-p', String(pg.port), '-U', 'postgres', db], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`createdb ${db} failed: ${r.stderr}`);
}

await main();
