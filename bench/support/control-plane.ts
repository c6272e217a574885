/**
 * The dashboard as the control-plane benchmarks run it: `npm start`'s server (apps/web/server.ts,
 * production build from KEEPWATCH_NEXT_DIST_DIR) on loopback against a throw-away PostgreSQL
 * (@keepwatch/lab's startTestPostgres: run as user postgres, unix socket only), its log in a file, its pid
 * and the PostgreSQL server's processes for /proc readings, and a tRPC-over-HTTP client signed in
 * as the first admin.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bridgeUnixSocket,
  dashboardLogin,
  spawnDashboardServer,
  freePort,
  PG_BIN,
  pgUrl,
  startTestPostgres,
  stopChild,
  waitFor,
  type PortBridge,
  type TestPostgres,
} from '@keepwatch/lab';

export const ADMIN = { username: 'admin', password: 'a long admin password' } as const;
const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime (+ cutime + cstime: children already reaped) of one process, in seconds; rss in kB. */
export function procStat(
  pid: number,
): { cpuSeconds: number; childCpuSeconds: number; rssKb: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      ppid: Number(rest[1]),
      cpuSeconds: (Number(rest[11]) + Number(rest[12])) / CLK_TCK,
      childCpuSeconds: (Number(rest[13]) + Number(rest[14])) / CLK_TCK,
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
    };
  } catch {
    return null;
  }
}

/** A process and all its live descendants: CPU seconds so far (reaped children included) and the summed RSS. */
export function treeUsage(root: number): { cpuSeconds: number; rssKb: number; processes: number } {
  const byParent = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = procStat(Number(e));
    if (s) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), Number(e)]);
  }
  let cpuSeconds = 0;
  let rssKb = 0;
  let processes = 0;
  const rootStat = procStat(root);
  if (rootStat) cpuSeconds += rootStat.childCpuSeconds;
  const todo = [root];
  for (let guard = 0; todo.length > 0 && guard < 10_000; guard++) {
    const pid = todo.pop()!;
    const s = procStat(pid);
    if (!s) continue;
    processes++;
    cpuSeconds += s.cpuSeconds;
    rssKb += s.rssKb;
    todo.push(...(byParent.get(pid) ?? []));
  }
  return { cpuSeconds, rssKb, processes };
}

export interface ControlPlane {
  base: string;
  port: number;
  pid: number;
  /** The postmaster's pid (its backends are its children). */
  pgPid: number;
  logPath: string;
  log(): string;
  /** PostgreSQL's own counters for the dashboard's database (pg_stat_database): committed transactions, rows returned/fetched/updated. */
  pgStats(): { xactCommit: number; tupReturned: number; tupFetched: number; tupUpdated: number; tupInserted: number };
  /** The dashboard's heap from its /metrics (prom-client default metrics), in MB. */
  heap(): Promise<Record<string, number>>;
  /** tRPC over HTTP as the admin. */
  call<T>(path: string, input: unknown, mutation?: boolean): Promise<T>;
  /** The dashboard's port on a unix socket, for agents inside lab namespaces (`ws+unix://`). */
  bridge(sockPath: string): Promise<void>;
  closeBridge(): Promise<void>;
  stop(): Promise<void>;
}

export async function startControlPlane(
  opts: { env?: Record<string, string>; nodeArgs?: string[]; compiled?: boolean } = {},
): Promise<ControlPlane> {
  const pg: TestPostgres = startTestPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-bench-cp-'));
  const logPath = join(dir, 'dashboard.log');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawnDashboardServer({
    port,
    databaseUrl: pgUrl(pg, 'postgres'),
    dataDir: join(dir, 'data'),
    logPath,
    admin: ADMIN,
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.compiled ? { compiled: true } : {}),
  });
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  let bridge: PortBridge | null = null;
  const closeBridge = async () => {
    const b = bridge;
    bridge = null;
    await b?.close();
  };
  const stop = async () => {
    await closeBridge();
    await stopChild(server, 'the dashboard');
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let cookie = '';
  try {
    // waitFor retries through errors: an early exit ends the wait by the race instead.
    let onExit: () => void = () => undefined;
    const exited = new Promise<never>((_, reject) => {
      onExit = () => reject(new Error(`the dashboard exited (${server.exitCode ?? server.signalCode})`));
      server.once('exit', onExit);
    });
    try {
      await Promise.race([
        waitFor(async () => (await fetch(base).catch(() => null))?.ok, {
          timeoutMs: 90_000,
          intervalMs: 250,
          what: 'the dashboard to answer',
        }),
        exited,
      ]);
    } finally {
      server.off('exit', onExit);
      exited.catch(() => undefined);
    }
    cookie = await dashboardLogin(base, ADMIN);
  } catch (e) {
    const tail = log().slice(-2000);
    await stop();
    throw new Error(`${(e as Error).message}\n${tail}`, { cause: e });
  }
  const pgPid = Number(readFileSync(join(pg.socketDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    base,
    port,
    pid: server.pid!,
    pgPid,
    logPath,
    log,
    pgStats() {
      const [cmd, ...args] = [
        ...(process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : []),
        join(PG_BIN, 'psql'),
        '-h',
        pg.socketDir,
        '-p',
        String(pg.port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-Atc',
        "select xact_commit, tup_returned, tup_fetched, tup_updated, tup_inserted from pg_stat_database where datname = 'postgres'",
      ];
      const r = spawnSync(cmd!, args, { encoding: 'utf8' });
      const [xactCommit, tupReturned, tupFetched, tupUpdated, tupInserted] = r.stdout.trim().split('|').map(Number);
      return {
        xactCommit: xactCommit!,
        tupReturned: tupReturned!,
        tupFetched: tupFetched!,
        tupUpdated: tupUpdated!,
        tupInserted: tupInserted!,
      };
    },
    async heap() {
      const out: Record<string, number> = {};
      const text = await (await fetch(`${base}/metrics`)).text();
      for (const name of [
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_size_total_bytes',
        'nodejs_external_memory_bytes',
      ]) {
        const m = new RegExp(`^keepwatch_web_${name} (\\S+)$`, 'm').exec(text);
        if (m) out[name.replace(/_bytes$/, 'Mb')] = Math.round((Number(m[1]) / 2 ** 20) * 10) / 10;
      }
      return out;
    },
    async call<T>(path: string, input: unknown, mutation = false): Promise<T> {
      const res = mutation
        ? await fetch(`${base}/api/trpc/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: base, cookie },
            body: JSON.stringify({ json: input }),
          })
        : await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
            headers: { cookie },
          });
      const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
      if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error).slice(0, 1000)}`);
      return body.result.data.json;
    },
    async bridge(sockPath: string) {
      bridge = await bridgeUnixSocket(sockPath, port);
    },
    closeBridge,
    stop,
  };
}

/** The dashboard's pino lines matching `msg` (JSON lines of its log). */
export function logLines(text: string, msg: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.includes(msg)) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.msg === msg) out.push(o);
    } catch {
      // a partial last line
    }
  }
  return out;
}

export function percentiles(xs: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  // Nearest-rank percentiles: with 2 samples p99 is the larger one, as it should be.
  const p = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)]! : NaN);
  return { n: s.length, p50: p(50), p95: p(95), p99: p(99), max: s.length ? s[s.length - 1]! : NaN };
}
