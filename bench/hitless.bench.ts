// Hitless changes (issue #14, item 4): one configuration edit at a time under a 100 req/s probe
// through the VIP (a new connection per request, 1 s timeout), keepwatch-agent (the edit made in a
// real dashboard, pushed to both nodes) beside keepalived 2.2.7 (the same edit made in its
// keepalived.conf on each host and `reload` by SIGHUP, the backup first), in the same run, at
// VRRPv3 0.1 s and VRRPv2 1 s. Per row: failed requests, VIP moves seen by sampling both hosts every 50 ms (requested
// or not), and the time until both nodes run the change.
//
//   npm run bench -- hitless [--runs 1] [--kind NAME[,NAME]] [--driver keepwatch|keepalived]
//                            [--interval v3-0.1s|v2-1s]
//
// JSON under bench/results/. The edits themselves: hitless/edits.ts. Not here: a package upgrade
// (the .deb's postinst restarts the agent as the agent-restart row does; tests/product/agent-deb-rpm).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bridgePort,
  REF,
  referenceKeepalived,
  referenceLab,
  referenceNginxSite,
  referenceSpec,
  startReferenceWebTier,
  startChaosPlane,
  startEnrolledAgents,
  startProbe,
  summariseProbe,
  waitFor,
  waitRevisionApplied,
  type ChaosPlane,
  type Lab,
  type LabKeepalived,
} from '@keepwatch/lab';
import {
  agentConfig,
  initialChecks,
  initialInstance,
  initialMembers,
  keepalivedEdit,
  keepalivedInitial,
  keepalivedMembership,
  keepalivedRestart,
  keepwatchEdit,
  KEEPWATCH_ONLY,
  KINDS,
  nginxPoolEdit,
  ONLY_AT,
  REQUESTED_MOVES,
  type Interval,
  type Kind,
} from './hitless/edits.js';
import { arg, numberArg } from './support/args.js';

const RUNS = numberArg('runs', 1);
const ONLY_KIND = arg('kind')?.split(',');
const ONLY_DRIVER = arg('driver');
const ONLY_INTERVAL = arg('interval');
const INTERVALS: Interval[] = (['v3-0.1s', 'v2-1s'] as const).filter((i) => !ONLY_INTERVAL || i === ONLY_INTERVAL);
const at = (interval: Interval) =>
  interval === 'v2-1s'
    ? { version: 2 as const, advertIntervalMs: 1000, fast: false }
    : { version: 3 as const, advertIntervalMs: 100, fast: true };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Row = {
  driver: string;
  interval: Interval;
  kind: Kind;
  failed: number;
  total: number;
  moves: number;
  unrequested: number;
  /** Time both hosts held the VIP at once (50 ms samples): a split the edit caused. */
  bothHeldMs: number;
  /** The row could not be measured (failed is then -1). */
  error?: string;
  appliedMs: number;
};

/** Samples the VIP's holders every 50 ms until stopped; the moves are changes of the one holder. */
function holderSampler(lab: Lab) {
  const seen: string[] = [];
  let on = true;
  const done = (async () => {
    for (let i = 0; on && i < 2000; i++) {
      seen.push((await lab.holders(REF.vip)).sort().join(','));
      await sleep(50);
    }
  })();
  return {
    async stop(): Promise<{ moves: number; bothHeldMs: number }> {
      on = false;
      await done;
      const single = seen.filter((h) => h !== '' && !h.includes(','));
      return {
        moves: single.filter((h, i) => i > 0 && h !== single[i - 1]).length,
        bothHeldMs: seen.filter((h) => h.includes(',')).length * 50,
      };
    },
  };
}

/** Runs `edit` under the probe and the sampler; resolves with the row's figures. */
async function measure(
  lab: Lab,
  driver: string,
  interval: Interval,
  kind: Kind,
  edit: () => Promise<number>,
): Promise<Row> {
  const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, {
    rateHz: 100,
    maxDurationMs: 60_000,
    requestTimeoutMs: 1000,
  });
  const holders = holderSampler(lab);
  let appliedMs: number;
  try {
    await sleep(1000);
    appliedMs = await edit();
    // Longer than the backup's Master_Down_Interval (≈ 3.7 s at 1 s): a split or a move the edit
    // causes by silencing or confusing the master shows within it.
    await sleep(2000 + 4 * at(interval).advertIntervalMs);
  } finally {
    await probe.stop().catch(() => undefined);
  }
  const { moves, bothHeldMs } = await holders.stop();
  const s = summariseProbe(probe.records());
  return {
    driver,
    interval,
    kind,
    failed: s.failed,
    total: s.total,
    moves,
    unrequested: Math.max(0, moves - (REQUESTED_MOVES[kind] ?? 0)),
    bothHeldMs,
    appliedMs,
  };
}

// ---- keepwatch: the edit in the dashboard, pushed to both agents ----

/**
 * Waits until lb1 alone holds the VIP. Both agents start at once: with nopreempt (preempt-on's
 * start) lb2 may time out first and keep the VIP; then a promote of lb1 and its release set the
 * row's starting point (nopreempt keeps lb1 after the release).
 */
async function holdOnLb1(lab: Lab, plane: ChaosPlane, clusterId: string): Promise<void> {
  const holder = await waitFor(
    async () => {
      const h = await lab.holders(REF.vip);
      return h.length === 1 ? h[0] : undefined;
    },
    { timeoutMs: 20_000, what: 'one holder of the VIP' },
  );
  if (holder === 'lb1') return;
  const [vi] = await plane.query<{ id: string }[]>('instances.list', { clusterId });
  const nodes = await plane.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
  await plane.mutate('failover.promote', { instanceId: vi!.id, nodeId: nodes.find((n) => n.node.name === 'lb1')!.id });
  await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
  await plane.mutate('failover.release', { instanceId: vi!.id });
  await sleep(1000);
  await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
}

async function keepwatchRow(plane: ChaosPlane, interval: Interval, kind: Kind, run: number): Promise<Row> {
  const lab = await referenceLab();
  const bridge = await bridgePort(lab, 'hub', plane.port);
  try {
    const { version, advertIntervalMs } = at(interval);
    const spec = referenceSpec({
      name: `hitless-${kind}-${interval}-${run}-${lab.runId}`.replaceAll('.', '_'),
      version,
      advertIntervalMs,
      check: initialChecks(kind),
      instance: initialInstance(kind, REF.vip),
    });
    const full = structuredClone(spec);
    const inst = spec.vrrpInstances![0]!;
    inst.members = initialMembers(kind, inst.members);
    const { clusterId, agent } = await startEnrolledAgents(lab, plane, {
      spec,
      hubSocket: bridge.path,
      metrics: false,
      extraConfig: agentConfig(kind),
    });
    await waitRevisionApplied(plane, clusterId, 1, 60_000);
    await holdOnLb1(lab, plane, clusterId);
    return await measure(lab, 'keepwatch', interval, kind, async () => {
      const t0 = Date.now();
      await keepwatchEdit(kind, plane, clusterId, full, agent);
      if (kind !== 'agent-restart')
        await waitRevisionApplied(plane, clusterId, 2, 30_000).catch(async (e: unknown) => {
          const r = await plane.query<{ deployments: unknown[] }>('clusters.revision', { clusterId, number: 2 });
          throw new Error(`${(e as Error).message}: ${JSON.stringify(r.deployments)}`, { cause: e });
        });
      return Date.now() - t0;
    });
  } finally {
    await lab.teardown().catch(() => undefined);
    await bridge.close().catch(() => undefined);
  }
}

// ---- keepalived 2.2.7: the edit in each host's keepalived.conf, then SIGHUP (backup first) ----

async function keepalivedRow(interval: Interval, kind: Kind): Promise<Row> {
  const lab = await referenceLab();
  try {
    const nginx = await startReferenceWebTier(lab);
    const ka = {} as Record<'lb1' | 'lb2', LabKeepalived>;
    for (const lb of ['lb1', 'lb2'] as const) {
      ka[lb] = referenceKeepalived(lab, nginx[lb], lb === 'lb1' ? 'master' : 'backup', {
        fast: at(interval).fast,
        checkIntervalS: 1,
      }).keepalived;
      ka[lb].configure(keepalivedInitial(kind, lb, readFileSync(ka[lb].confPath, 'utf8')));
    }
    // lb1 first and master before lb2 starts: with nopreempt (preempt-on's start) whoever times out
    // first stays master, and the row starts from lb1 holding the VIP.
    await ka.lb1.start();
    await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
    if (keepalivedMembership[kind] !== 'start') await ka.lb2.start();
    await sleep(1000);
    await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
    return await measure(lab, 'keepalived', interval, kind, async () => {
      const t0 = Date.now();
      if (kind === 'agent-restart') await keepalivedRestart(ka.lb1);
      else if (keepalivedMembership[kind] === 'start') await ka.lb2.start();
      else if (keepalivedMembership[kind] === 'stop') await ka.lb2.stop();
      if (kind === 'agent-restart' || keepalivedMembership[kind]) return Date.now() - t0;
      for (const lb of ['lb2', 'lb1'] as const) {
        if (kind === 'pool-edit') {
          nginx[lb].configure(nginxPoolEdit(referenceNginxSite()));
          lab.signal(nginx[lb].masterPid()!, 'SIGHUP');
        } else {
          const before = readFileSync(ka[lb].confPath, 'utf8');
          const after = keepalivedEdit(kind, lb, before);
          if (after !== before) {
            ka[lb].configure(after);
            lab.signal(ka[lb].pid()!, 'SIGHUP');
          }
        }
        if (lb === 'lb2') await sleep(1000); // as the dashboard's rollout: the backup first
      }
      return Date.now() - t0;
    });
  } finally {
    await lab.teardown().catch(() => undefined);
  }
}

// ---- the run ----

/** One row; a row that fails is kept with its error (the run goes on) and counted as failed below. */
async function row(driver: string, interval: Interval, kind: Kind, measureRow: () => Promise<Row>): Promise<Row> {
  try {
    return await measureRow();
  } catch (e) {
    const error = (e as Error).message.slice(0, 500);
    console.error(`${driver} ${interval} ${kind}: ${error}`);
    return {
      driver,
      interval,
      kind,
      failed: -1,
      total: 0,
      moves: 0,
      unrequested: 0,
      bothHeldMs: 0,
      appliedMs: 0,
      error,
    };
  }
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const loadBefore = loadavg();
const rows: Row[] = [];
const kinds = KINDS.filter((k) => !ONLY_KIND || ONLY_KIND.includes(k));
let plane: ChaosPlane | null = null;
try {
  for (let run = 0; run < RUNS; run++) {
    for (const interval of INTERVALS) {
      for (const kind of kinds.filter((k) => (ONLY_AT[k] ?? interval) === interval)) {
        if (!ONLY_DRIVER || ONLY_DRIVER === 'keepwatch') {
          plane ??= await startChaosPlane();
          rows.push(await row('keepwatch', interval, kind, () => keepwatchRow(plane!, interval, kind, run)));
          console.log(JSON.stringify(rows.at(-1)));
        }
        if ((!ONLY_DRIVER || ONLY_DRIVER === 'keepalived') && !KEEPWATCH_ONLY.includes(kind)) {
          rows.push(await row('keepalived', interval, kind, () => keepalivedRow(interval, kind)));
          console.log(JSON.stringify(rows.at(-1)));
        }
      }
    }
  }
} finally {
  await plane?.stop().catch(() => undefined);
}

console.log(
  `\nhitless changes, ${INTERVALS.join(' and ')}, ${RUNS} run(s), commit ${commit}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  '| interval | edit | driver | failed / requests | VIP moves (unrequested) | both held (ms) | applied on both (ms) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.interval} | ${r.kind} | ${r.driver} | ${r.failed} / ${r.total} | ${r.moves} (${r.unrequested}) | ${r.bothHeldMs} | ${Math.round(r.appliedMs)} |`,
  );
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = join(dir, `hitless-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ commit, loadBefore, loadAfter: loadavg(), runs: RUNS, rows }, null, 2));
console.log(`\n${file}`);
