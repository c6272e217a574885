// Agent start-up benchmark: exec → first advert on the wire, for the single executable (Node 24
// SEA, dist/keepwatch-agent-<version>-linux-x64) and for the tarball's launcher (sh → the host's
// Node 20 → the ESM bundle), on the same lab in the same run.
//
//   npm run bench -- agent-start [--runs 20] [--interval 1000]
//
// The case that has a start-up budget is the warm restart (issue: hitless changes, ≤ 150 ms): the
// agent is master on lb1, is SIGKILLed, and is started again at once; its warm-state file makes it
// resume as master and advert immediately. Each run: SIGKILL → the clock is read → spawn → the
// first advert from lb1 that an advert listener on the client host sees (timestamps of the same
// clock). The two alternate restart by restart, so both meet the same load; the CPU time the agent
// used by its first advert is reported too (a busy shared machine inflates wall time, less so CPU). The agent runs the lab's nginx as in production (its config is written and nginx
// reloaded before the adverts start). Median, p90, min and max over the runs; JSON under
// bench/results/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REF, isAlive, referenceSpec, waitFor, type Spawned, startSingleLbLab } from '@keepwatch/lab';
import { NODE_RUNTIME, executablePath } from '../scripts/package-agent/sea.mjs';
import { advertReader } from './support/agent-lab.js';
import { numberArg } from './support/args.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const LISTENER = fileURLToPath(new URL('./advert-listener.mjs', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'apps/agent/package.json'), 'utf8')) as { version: string })
  .version;
const BARE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

const RUNS = numberArg('runs', 20);
/** Warm restart resumes only within 3 advert intervals of the last state save: 1 s leaves room. */
const INTERVAL_MS = numberArg('interval', 1000);

/** USER_HZ: /proc's CPU times are in these ticks. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const now = () => performance.timeOrigin + performance.now();
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  // The executable and tarball, built if missing or stale (fast when up to date).
  execFileSync(process.execPath, [join(REPO, 'scripts/package-agent.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exe = executablePath(REPO, VERSION);
  const work = mkdtempSync(join(tmpdir(), 'keepwatch-start-bench-'));
  execFileSync('tar', ['-xzf', join(REPO, `dist/keepwatch-agent-${VERSION}-linux-x64.tar.gz`), '-C', work]);
  const launcher = join(work, `keepwatch-agent-${VERSION}`, 'bin/keepwatch-agent');
  const nodeVersion = execFileSync('node', ['--version'], { encoding: 'utf8', env: BARE_ENV }).trim();

  const configPath = join(work, 'agent.json');
  // One LB only (lb1), with the pool reduced to the one backend the lab has.
  const lab = await startSingleLbLab(referenceSpec({ advertIntervalMs: INTERVAL_MS }), configPath);
  const results: Record<string, unknown>[] = [];
  try {
    const advertFile = join(work, 'adverts.jsonl');
    const listenerLog = join(work, 'listener.log');
    lab.spawn('client', process.execPath, [LISTENER, advertFile], { logFile: listenerLog, what: 'advert listener' });
    await waitFor(() => existsSync(listenerLog) && readFileSync(listenerLog, 'utf8').includes('listening'), {
      timeoutMs: 10_000,
      what: 'the advert listener',
    });
    const adverts = advertReader(advertFile);
    const firstAdvertAfter = (t: number, what: string) =>
      waitFor(() => adverts().find((a) => a.src === REF.lb1 && a.t > t)?.t, { timeoutMs: 15_000, intervalMs: 2, what });
    /** CPU time (user + system, ms) the process has used so far: less sensitive than wall time to a busy machine. */
    const cpuMs = (pid: number) => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
    };

    const impls = [
      { name: 'executable (Node 24 SEA)', cmd: exe, ms: [] as number[], cpu: [] as number[] },
      { name: 'tarball launcher (sh + Node 20)', cmd: launcher, ms: [] as number[], cpu: [] as number[] },
    ];
    const log = join(work, 'agent.log');
    const start = (cmd: string) =>
      lab.spawn('lb1', cmd, ['run', '--config', configPath], { logFile: log, what: 'keepwatch-agent', env: BARE_ENV });
    // The first start is cold (no warm state): it waits Master_Down_Interval, then adverts.
    let agent: Spawned = start(exe);
    await firstAdvertAfter(now(), 'the first master advert');
    // The two alternate restart by restart (same config and state folder: each resumes the
    // other's warm state), so both see the same load on a shared machine.
    for (let i = 0; i < 2 * RUNS; i++) {
      const impl = impls[i % 2]!;
      // Let the running agent refresh its warm state as master (every 200 ms), then crash it.
      await new Promise((r) => setTimeout(r, 500));
      await lab.stop(agent.pid, { sig: 'SIGKILL', graceMs: 3000 });
      const t0 = now();
      agent = start(impl.cmd);
      const t1 = await firstAdvertAfter(t0, `${impl.name}: the advert after restart ${i + 1}`);
      // The tarball's launcher is sh exec'ing node: same PID, so /proc counts the whole start.
      if (!isAlive(agent.pid)) throw new Error(`${impl.name} exited:\n${readFileSync(log, 'utf8').slice(-2000)}`);
      impl.cpu.push(cpuMs(agent.pid));
      impl.ms.push(t1 - t0);
    }
    await lab.stop(agent.pid, { sig: 'SIGTERM', graceMs: 8000 });
    await lab.waitForHolders(REF.vip, [], 10_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nthe agent's log:\n${readFileSync(log, 'utf8').slice(-3000)}`);
    });
    for (const { name, ms, cpu } of impls) {
      const row = {
        impl: name,
        runs: ms.length,
        medianMs: Math.round(median(ms)),
        p90Ms: Math.round(quantile(ms, 0.9)),
        minMs: Math.round(Math.min(...ms)),
        maxMs: Math.round(Math.max(...ms)),
        cpuMedianMs: Math.round(median(cpu)),
        samplesMs: ms.map((x) => Math.round(x * 10) / 10),
      };
      results.push(row);
      console.log(
        `${name.padEnd(34)} exec → first advert: median ${row.medianMs} ms, p90 ${row.p90Ms} ms, min ${row.minMs} ms, max ${row.maxMs} ms; CPU by then ${row.cpuMedianMs} ms (${row.runs} warm restarts)`,
      );
    }
  } finally {
    await lab.teardown();
    rmSync(work, { recursive: true, force: true });
  }
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `agent-start-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { runs: RUNS, advertIntervalMs: INTERVAL_MS, hostNode: nodeVersion, executableNode: NODE_RUNTIME, results },
      null,
      1,
    ),
  );
  console.log(`results: ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
