// Failover benchmark: the reference scenario's faults on the lab, measured from the client's
// side for each HA implementation in the same run (keepalived is the baseline).
//
//   npm run bench -- failover [--runs 5] [--only v3] [--scenario link-down] [--steady 60]
//
// For every (advert interval, scenario, implementation) it builds the reference lab, waits for
// lb1 to hold the VIP, starts a 100 req/s probe from the client (a new connection per request),
// injects the fault at a random point of the advert cycle and records: the time from the fault to
// the first successful request through the host that should serve now, the failed requests, and
// the time until that host holds the VIP. Medians over the runs; the ratio to keepalived; a table
// on stdout and JSON under bench/results/. Then RSS and CPU seconds over a steady-state period.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabNginx } from '@keepwatch/lab';
import {
  REF,
  referenceLab,
  referenceNginxSite,
  startReferenceWebTier,
  startProbe,
  waitFor,
  type Lab,
  type ProbeRecord,
} from '@keepwatch/lab';
import type { DriverFactory, HaDriver } from './drivers/types.js';
import { keepalivedDriver } from './drivers/keepalived.js';
import { DRIVERS_EXTRA } from './drivers/extra.js';
import { arg, numberArg } from './support/args.js';

type Scenario =
  'link-down' | 'daemon-killed' | 'daemon-restart' | 'graceful-stop' | 'nginx-killed' | 'nginx-broken' | 'preempt-back';
const SCENARIOS: Scenario[] = [
  'link-down',
  'daemon-killed',
  'daemon-restart',
  'graceful-stop',
  'nginx-killed',
  'nginx-broken',
  'preempt-back',
];
const CONFIGS = [
  { label: 'v2 1s', version: 2 as const, advertIntervalMs: 1000 },
  { label: 'v3 0.1s', version: 3 as const, advertIntervalMs: 100 },
];
const DRIVERS: Record<string, DriverFactory> = { keepalived: keepalivedDriver, ...DRIVERS_EXTRA };

const RUNS = numberArg('runs', 5);
const ONLY = arg('only');
const ONLY_SCENARIO = arg('scenario');
const STEADY_S = numberArg('steady', 60);
const CHECK_INTERVAL_S = numberArg('check-interval', 2);
const ONLY_DRIVER = arg('driver');

type Measure = {
  recoveryMs: number;
  failed: number;
  vipMs: number | null;
  vipMoved: boolean;
  takeoverMs: number | null;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/** The reference site, plus a header naming the LB that served (to tell the new master's answers). */
function site(lb: string): string {
  return referenceNginxSite().replace(/location \/ \{/, `add_header X-Served-By ${lb} always;\n  location / {`);
}

async function setup(
  factory: DriverFactory,
  cfg: (typeof CONFIGS)[number],
): Promise<{ lab: Lab; nginx: Record<'lb1' | 'lb2', LabNginx>; driver: HaDriver }> {
  const lab = await referenceLab();
  try {
    const nginx = await startReferenceWebTier(lab, site);
    const driver = factory(lab, nginx, {
      version: cfg.version,
      advertIntervalMs: cfg.advertIntervalMs,
      checkIntervalS: CHECK_INTERVAL_S,
    });
    await driver.start('lb1');
    await driver.start('lb2');
    await lab.waitForHolders(REF.vip, ['lb1'], 20 * cfg.advertIntervalMs + 5000);
    return { lab, nginx, driver };
  } catch (e) {
    await lab.teardown();
    throw e;
  }
}

async function runOnce(factory: DriverFactory, cfg: (typeof CONFIGS)[number], scenario: Scenario): Promise<Measure> {
  const { lab, nginx, driver } = await setup(factory, cfg);
  try {
    let expected: 'lb1' | 'lb2' = 'lb2';
    if (scenario === 'preempt-back') {
      await driver.stop('lb1');
      await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
      expected = 'lb1';
    }
    if (scenario === 'nginx-killed' || scenario === 'daemon-restart') expected = 'lb1';
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, {
      rateHz: 100,
      maxDurationMs: 60_000,
      requestTimeoutMs: 1000,
    });
    // The wire clock: every advert as the client sees it, to measure a takeover from the old
    // master's last advert to the new master's first — free of the random fault phase.
    const advertsFile = join(lab.host('client').dir, 'adverts.jsonl');
    const listener = lab.spawn(
      'client',
      process.execPath,
      [fileURLToPath(new URL('./advert-listener.mjs', import.meta.url)), advertsFile],
      { logFile: join(lab.host('client').dir, 'adverts.log'), what: 'advert listener' },
    );
    await sleep(500);
    await sleep(Math.random() * cfg.advertIntervalMs); // a random point of the advert cycle
    const t0 = Date.now();
    // The fault runs concurrently with the measurement: stopping a daemon returns only once it
    // has exited, which can be long after the VIP moved.
    const injecting = (async () => {
      switch (scenario) {
        case 'link-down':
          await lab.setLink('lb1', 'down');
          break;
        case 'daemon-killed':
          await driver.kill('lb1');
          break;
        case 'daemon-restart': // crashed and restarted at once (systemd Restart=always, RestartSec=0)
          await driver.kill('lb1');
          await driver.start('lb1');
          break;
        case 'graceful-stop':
          await driver.stop('lb1');
          break;
        case 'nginx-killed':
          await nginx.lb1.kill();
          break;
        case 'nginx-broken':
          nginx.lb1.writeSite('server { listen 80; location / { proxy_pass http://webs } }\n');
          await nginx.lb1.kill();
          break;
        case 'preempt-back':
          await driver.start('lb1');
          break;
      }
    })();
    // Did the VIP ever reach lb2 when it should have stayed on lb1?
    let vipMoved = false;
    let watching = expected === 'lb1' && scenario !== 'preempt-back';
    const watcher = (async () => {
      for (let i = 0; i < 10_000 && watching; i++) {
        if (await lab.holds('lb2', REF.vip)) vipMoved = true;
        await sleep(20);
      }
    })();
    let vipMs: number | null = null;
    if (expected === 'lb2' || scenario === 'preempt-back') {
      await waitFor(async () => (await lab.holds(expected, REF.vip)) || undefined, {
        timeoutMs: 20_000,
        intervalMs: 5,
        what: `${expected} to hold the VIP`,
      });
      vipMs = Date.now() - t0;
    }
    // Recovery: the first success through the serving host sent after the last failure that
    // followed the fault (or the first such success at all when nothing failed).
    const recovery = (records: ProbeRecord[]) => {
      const after = records.filter((r) => r.sentAt >= t0);
      const lastFail = [...after].reverse().find((r) => !r.ok);
      return {
        after,
        recovered: after.find((r) => r.ok && r.servedBy === expected && (!lastFail || r.sentAt > lastFail.sentAt)),
      };
    };
    await waitFor(() => recovery(probe.records()).recovered, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: `a request served by ${expected}`,
    });
    await injecting;
    // A restart's outcome shows only after the peers' Master_Down_Interval has passed.
    if (scenario === 'daemon-restart') {
      await sleep(4 * cfg.advertIntervalMs + 1000);
      await waitFor(() => recovery(probe.records()).recovered, {
        timeoutMs: 20_000,
        intervalMs: 20,
        what: `a request served by ${expected}`,
      });
    }
    watching = false;
    await watcher;
    await lab.stop(listener.pid, { sig: 'SIGTERM', graceMs: 2000 });
    let takeoverMs: number | null = null;
    if (scenario === 'link-down' || scenario === 'daemon-killed') {
      const adverts = existsSync(advertsFile)
        ? readFileSync(advertsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { t: number; src: string; priority: number })
        : [];
      const lastOld = adverts.filter((a) => a.src === REF.lb1 && a.t < t0 + 50).at(-1);
      const firstNew = adverts.find((a) => a.src === REF.lb2 && a.t > t0);
      if (lastOld && firstNew) takeoverMs = Math.round((firstNew.t - lastOld.t) * 10) / 10;
    }
    await sleep(300);
    const { after, recovered } = recovery(await probe.stop());
    return {
      recoveryMs: recovered ? recovered.sentAt + recovered.latencyMs - t0 : NaN,
      failed: after.filter((r) => !r.ok).length,
      vipMs,
      vipMoved,
      takeoverMs,
    };
  } finally {
    await lab.teardown();
  }
}

async function steadyState(factory: DriverFactory): Promise<{ rssKb: number; cpuSeconds: number }> {
  const cfg = CONFIGS[0]!;
  const { lab, driver } = await setup(factory, cfg);
  try {
    const a = driver.usage('lb1');
    await sleep(STEADY_S * 1000);
    const b = driver.usage('lb1');
    return { rssKb: b.rssKb, cpuSeconds: Math.round((b.cpuSeconds - a.cpuSeconds) * 100) / 100 };
  } finally {
    await lab.teardown();
  }
}

async function main(): Promise<void> {
  const drivers = Object.entries(DRIVERS).filter(([n]) => !ONLY_DRIVER || n === ONLY_DRIVER);
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [
    [
      'interval',
      'scenario',
      'impl',
      'recovery ms',
      'failed req',
      'VIP ms',
      'VIP moved',
      'wire takeover ms',
      'ratio recovery',
      'ratio failed',
    ],
  ];
  for (const cfg of CONFIGS.filter((c) => !ONLY || c.label.includes(ONLY))) {
    for (const scenario of SCENARIOS.filter((s) => !ONLY_SCENARIO || s === ONLY_SCENARIO)) {
      const medians: Record<
        string,
        { recoveryMs: number; failed: number; vipMs: number | null; vipMoves: number; takeoverMs: number | null }
      > = {};
      for (const [name, factory] of drivers) {
        const runs: Measure[] = [];
        for (let i = 0; i < RUNS; i++) {
          try {
            runs.push(await runOnce(factory, cfg, scenario));
          } catch (e) {
            console.error(`${cfg.label} ${scenario} ${name} run ${i + 1}: ${(e as Error).message}`);
          }
        }
        const vip = runs.map((r) => r.vipMs).filter((v): v is number => v !== null);
        const takeover = runs.map((r) => r.takeoverMs).filter((v): v is number => v !== null);
        medians[name] = {
          recoveryMs: Math.round(median(runs.map((r) => r.recoveryMs))),
          failed: median(runs.map((r) => r.failed)),
          vipMs: vip.length ? Math.round(median(vip)) : null,
          vipMoves: runs.filter((r) => r.vipMoved).length,
          takeoverMs: takeover.length ? Math.round(median(takeover)) : null,
        };
        results.push({ interval: cfg.label, scenario, impl: name, runs, median: medians[name] });
        const base = medians.keepalived;
        const m = medians[name]!;
        rows.push([
          cfg.label,
          scenario,
          name,
          String(m.recoveryMs),
          String(m.failed),
          m.vipMs === null ? '-' : String(m.vipMs),
          scenario === 'nginx-killed' || scenario === 'daemon-restart' ? `${m.vipMoves}/${runs.length}` : '-',
          m.takeoverMs === null
            ? '-'
            : `${m.takeoverMs}${base && name !== 'keepalived' && base.takeoverMs !== null ? ` (${m.takeoverMs - base.takeoverMs >= 0 ? '+' : ''}${m.takeoverMs - base.takeoverMs})` : ''}`,
          base && name !== 'keepalived' ? (m.recoveryMs / base.recoveryMs).toFixed(2) : '-',
          base && name !== 'keepalived'
            ? base.failed
              ? (m.failed / base.failed).toFixed(2)
              : m.failed
                ? 'inf'
                : '1.00'
            : '-',
        ]);
        console.log(rows[rows.length - 1]!.join('\t'));
      }
    }
  }
  const steady: Record<string, unknown> = {};
  if (STEADY_S > 0) {
    for (const [name, factory] of drivers) steady[name] = await steadyState(factory);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log('\n' + rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n'));
  console.log(`\nsteady state over ${STEADY_S} s (lb1, v2 1 s): ${JSON.stringify(steady)}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}failover-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ runs: RUNS, checkIntervalS: CHECK_INTERVAL_S, results, steady }, null, 1));
  console.log(`results: ${file}`);
}

await main();
