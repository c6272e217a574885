// Control-plane benchmark (issue 6): one dashboard (production build, real PostgreSQL) and its
// agents, real ones in the lab and protocol-level simulated ones (support/sim-agent.ts).
//
//   npm run bench -- control-plane [--only heartbeats,push-sim,push-real,failover]
//       [--agents 1000] [--duration 60] [--sim-clusters 250] [--mutation-rate 10,0] [--apply-delay 0] [--rounds 20]
//       [--failover-runs 3] [--node-options '…']
//
// The dashboard runs with the NODE_OPTIONS its shipped unit sets (apps/web/systemd/
// keepwatch-dashboard.service), or with `--node-options` ('' for V8's defaults).
//
// - heartbeats: `--agents` simulated agents (pairs: one master, one backup per cluster), each
//   heartbeating every second; after a warm-up, RSS and CPU of the dashboard process and CPU of
//   the PostgreSQL server over `--duration` s, and what the simulated fleet cost this process.
// - push-sim: `--sim-clusters` clusters × 2 simulated agents; one pool edit per cluster through
//   tRPC, at `--mutation-rate` edits per second (0: all at once; by default both, in turn, each on
//   a fresh dashboard); per agent: the backup from the mutation's request to the hub's ack of its
//   apply-result (the hub acks once stored), the master from the hub's push (its log) to that ack
//   (the rollout's deliberate wait for the backup's apply and checks is left out).
// - push-real: the reference lab with 2 real agents (real nginx); `--rounds` pool edits one after
//   the other; backup from the mutation to its apply-result's time as stored (finishedAt, the
//   agent's own clock, same machine), master from the hub's push (its log) to that time.
// - failover: manual failover through the API (failover.promote) under a 100 req/s probe through
//   the VIP, beside keepalived's graceful hand-over (SIGTERM to the master keepalived) in the
//   same lab: failed requests and the longest gap between successful requests.
//
// Figures and targets on stdout, JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  REF,
  referenceHosts,
  referenceLab,
  referenceSpec,
  startEnrolledAgents,
  startProbe,
  summariseProbe,
  waitFor,
  waitRevisionApplied,
  type Lab,
  type LabAgent,
  type LabNginx,
  type ProbeRecord,
} from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { keepalivedDriver } from './drivers/keepalived.js';
import { logLines, percentiles, startControlPlane, treeUsage, type ControlPlane } from './support/control-plane.js';
import { harnessMeter, inBatches, round, SimAgent } from './support/sim-agent.js';
import { UNIT_NODE_ARGS, UNIT_NODE_OPTIONS } from './support/unit.js';
import { arg, listArg, numberArg } from './support/args.js';

const ONLY = listArg('only', 'heartbeats,push-sim,push-real,failover');
const AGENTS = numberArg('agents', 1000);
const DURATION_S = numberArg('duration', 60);
const SIM_CLUSTERS = numberArg('sim-clusters', 250);
const APPLY_DELAY_MS = numberArg('apply-delay', 0);
/** Pool edits per second across the clusters (0: all at once); both are run unless one is given. */
const MUTATION_RATES = listArg('mutation-rate', '10,0').map(Number);
const ROUNDS = numberArg('rounds', 20);
const FAILOVER_RUNS = numberArg('failover-runs', 3);
const WARMUP_S = 15;
/** A folder for the dashboard's CPU profile (node --cpu-prof, written when it exits). */
const CPU_PROF = arg('cpu-prof');
// The unit's NODE_OPTIONS and node flags, so the figures are those of the service (--node-options,
// --node-args to compare: '' for none).
const NODE_OPTIONS = arg('node-options') ?? UNIT_NODE_OPTIONS;
const NODE_ARGS = arg('node-args')?.split(' ').filter(Boolean) ?? UNIT_NODE_ARGS;
/** `--compiled`: the production form (apps/web/dist/server.mjs, as the unit runs it) instead of server.ts under tsx. */
const COMPILED = process.argv.includes('--compiled');
const cpOpts = {
  compiled: COMPILED,
  nodeArgs: [...NODE_ARGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [])],
  env: { NODE_OPTIONS },
};

const TARGETS = { pushP99Ms: 1000, rssMb: 300, cores: 0.25, failed: 0 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** A two-node cluster like the reference one, with addresses of its own (RFC 5737). */
function simSpec(i: number): ClusterSpecInput {
  const n = 1 + (i % 250);
  return referenceSpec({
    name: `sim-${String(i).padStart(4, '0')}`,
    advertIntervalMs: 1000,
    hosts: referenceHosts(
      {
        lb1: `198.51.100.${n}`,
        lb2: `192.0.2.${n}`,
        web1: '203.0.113.10',
        web2: '203.0.113.11',
        vip: `203.0.113.${n}`,
      },
      [`s${i}-a`, `s${i}-b`],
    ),
  });
}

/** Enrollment figures of each fleet (setup, not a target, but telling). */
const fleetStats: Record<string, unknown>[] = [];

type SimCluster = { id: string; index: number; master: SimAgent; backup: SimAgent };

/** Imports `n` two-node clusters, issues the tokens through the API and starts a simulated agent per node. */
async function simFleet(cp: ControlPlane, n: number): Promise<SimCluster[]> {
  const url = `ws://127.0.0.1:${cp.port}/agent`;
  const clusters: SimCluster[] = [];
  const t0 = Date.now();
  await inBatches([...Array(n).keys()], 4, async (i) => {
    const spec = simSpec(i);
    const c = await cp.call<{ id: string }>('clusters.import', { spec }, true);
    const nodes = await cp.call<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId: c.id });
    const token = async (name: string) =>
      (
        await cp.call<{ token: string }>(
          'nodes.issueEnrollToken',
          { id: nodes.find((x) => x.node.name === name)!.id },
          true,
        )
      ).token;
    const mk = async (name: string, role: 'master' | 'backup') =>
      new SimAgent({
        url,
        node: name,
        enrollToken: await token(name),
        instance: 'VI_1',
        vrid: 51,
        role,
        heartbeatMs: 1000,
        applyDelayMs: APPLY_DELAY_MS,
      });
    clusters.push({ id: c.id, index: i, master: await mk(`s${i}-a`, 'master'), backup: await mk(`s${i}-b`, 'backup') });
  });
  console.log(`  ${n} clusters imported, ${2 * n} tokens issued in ${round((Date.now() - t0) / 1000, 1)} s`);
  const t1 = Date.now();
  await inBatches(
    clusters.flatMap((c) => [c.master, c.backup]),
    16,
    (a) => a.start(),
  );
  const all = clusters.flatMap((c) => [c.master, c.backup]);
  const retries = all.reduce((s, a) => s + a.retries, 0);
  const refusals = [...new Set(all.flatMap((a) => a.errors))].slice(0, 3);
  console.log(
    `  ${2 * n} simulated agents enrolled and connected in ${round((Date.now() - t1) / 1000, 1)} s (${retries} handshakes tried again${refusals.length ? `: ${refusals.join(' | ')}` : ''})`,
  );
  fleetStats.push({
    agents: 2 * n,
    connectSeconds: round((Date.now() - t1) / 1000, 1),
    handshakeRetries: retries,
    refusals,
  });
  await waitFor(() => all.every((a) => a.pushes.some((p) => p.revision === 1 && p.ackedAt !== null)) || undefined, {
    timeoutMs: 120_000,
    intervalMs: 500,
    what: 'every simulated agent to apply revision 1',
  });
  return clusters.sort((x, y) => x.index - y.index);
}

async function stopFleet(clusters: SimCluster[]): Promise<void> {
  await inBatches(
    clusters.flatMap((c) => [c.master, c.backup]),
    64,
    (a) => a.stop(),
  );
}

// --- heartbeats -------------------------------------------------------------------------------

async function heartbeats(): Promise<Record<string, unknown>> {
  console.log(`\n## ${AGENTS} simulated agents heartbeating every second, ${DURATION_S} s`);
  const cp = await startControlPlane(cpOpts);
  let clusters: SimCluster[] = [];
  try {
    const idle = { dashboard: treeUsage(cp.pid), pg: treeUsage(cp.pgPid) };
    await sleep(5000);
    const idle2 = { dashboard: treeUsage(cp.pid), pg: treeUsage(cp.pgPid) };
    const idleHeap = await cp.heap().catch(() => ({}));
    const idleCores = {
      dashboard: round((idle2.dashboard.cpuSeconds - idle.dashboard.cpuSeconds) / 5, 3),
      pg: round((idle2.pg.cpuSeconds - idle.pg.cpuSeconds) / 5, 3),
    };
    clusters = await simFleet(cp, Math.ceil(AGENTS / 2));
    const agents = clusters.flatMap((c) => [c.master, c.backup]).slice(0, AGENTS);
    for (const extra of clusters.flatMap((c) => [c.master, c.backup]).slice(AGENTS)) await extra.stop();
    console.log(`  warm-up ${WARMUP_S} s`);
    await sleep(WARMUP_S * 1000);
    const d0 = treeUsage(cp.pid);
    const p0 = treeUsage(cp.pgPid);
    const hb0 = agents.reduce((s, a) => s + a.heartbeatsSent, 0);
    const db0 = cp.pgStats();
    const meter = harnessMeter();
    const t0 = Date.now();
    let rssMaxKb = d0.rssKb;
    const samples: number[] = [];
    for (let i = 0; i < DURATION_S; i++) {
      await sleep(Math.max(0, t0 + (i + 1) * 1000 - Date.now()));
      const u = treeUsage(cp.pid);
      rssMaxKb = Math.max(rssMaxKb, u.rssKb);
      samples.push(u.rssKb);
    }
    const seconds = (Date.now() - t0) / 1000;
    const d1 = treeUsage(cp.pid);
    const p1 = treeUsage(cp.pgPid);
    const harness = meter.stop();
    const hb = agents.reduce((s, a) => s + a.heartbeatsSent, 0) - hb0;
    const connected = agents.filter((a) => a.session).length;
    const errors = agents.flatMap((a) => a.errors).slice(0, 5);
    // What the dashboard stores of the heartbeats (lastSeenAt: as the tree has it now).
    let lastSeenFresh: number | null = null;
    try {
      const nodes = await cp.call<{ lastSeenAt?: string | null }[]>('nodes.all', undefined);
      lastSeenFresh = nodes.filter((n) => n.lastSeenAt && Date.now() - Date.parse(n.lastSeenAt) < 10_000).length;
    } catch (e) {
      console.log(`  nodes.all: ${(e as Error).message.slice(0, 200)}`);
    }
    // Where the memory is, from the dashboard's own /metrics (prom-client's default metrics).
    const heap = await cp.heap().catch((e: unknown) => ({ error: (e as Error).message }));
    const db = Object.fromEntries(
      Object.entries(cp.pgStats()).map(([k, v]) => [
        `${k}PerS`,
        round((v - (db0 as Record<string, number>)[k]!) / seconds, 1),
      ]),
    );
    const r = {
      agents: AGENTS,
      heap,
      idleHeap,
      db,
      seconds: round(seconds, 1),
      heartbeatsPerS: round(hb / seconds, 1),
      connectedAtEnd: connected,
      dashboard: {
        rssMb: round(d1.rssKb / 1024, 1),
        rssMaxMb: round(rssMaxKb / 1024, 1),
        idleRssMb: round(idle2.dashboard.rssKb / 1024, 1),
        cores: round((d1.cpuSeconds - d0.cpuSeconds) / seconds, 3),
        cpuSeconds: round(d1.cpuSeconds - d0.cpuSeconds, 2),
        processes: d1.processes,
        idleCores: idleCores.dashboard,
      },
      postgres: {
        cores: round((p1.cpuSeconds - p0.cpuSeconds) / seconds, 3),
        cpuSeconds: round(p1.cpuSeconds - p0.cpuSeconds, 2),
        processes: p1.processes,
        rssMb: round(p1.rssKb / 1024, 1),
        idleCores: idleCores.pg,
      },
      harness,
      nodesWithFreshLastSeen: lastSeenFresh,
      errors,
    };
    console.log(
      `  dashboard: RSS ${r.dashboard.rssMb} MB (max ${r.dashboard.rssMaxMb}; target < ${TARGETS.rssMb}: ${met(r.dashboard.rssMaxMb < TARGETS.rssMb)}), CPU ${r.dashboard.cores} cores (target < ${TARGETS.cores}: ${met(r.dashboard.cores < TARGETS.cores)}); idle before the agents: RSS ${r.dashboard.idleRssMb} MB, ${r.dashboard.idleCores} cores`,
    );
    console.log(`  dashboard memory: ${JSON.stringify(heap)}; idle before the agents ${JSON.stringify(idleHeap)}`);
    console.log(`  database work: ${JSON.stringify(db)}`);
    console.log(
      `  postgres: ${r.postgres.cores} cores over the same window (${r.postgres.processes} processes; idle ${r.postgres.idleCores})`,
    );
    console.log(
      `  ${r.heartbeatsPerS} heartbeats/s, ${connected}/${AGENTS} connected at the end, nodes with lastSeenAt < 10 s old: ${lastSeenFresh ?? 'n/a'}`,
    );
    console.log(
      `  harness (this process, ${AGENTS} simulated agents): ${harness.cores} cores, event-loop delay p99 ${harness.loopDelayP99Ms} ms, max ${harness.loopDelayMaxMs} ms`,
    );
    if (errors.length) console.log(`  agent errors: ${errors.join(' | ')}`);
    return r;
  } finally {
    await stopFleet(clusters);
    await cp.stop();
  }
}

// --- push to simulated agents -------------------------------------------------------------------

type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string; port: number }[] } };

async function pushSim(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const rate of MUTATION_RATES) out[rate === 0 ? 'burst' : `rate${rate}`] = await pushSimOnce(rate);
  return out;
}

async function pushSimOnce(rate: number): Promise<Record<string, unknown>> {
  const how = rate === 0 ? 'all at once' : `${rate} per second`;
  console.log(
    `\n## config push: ${SIM_CLUSTERS} clusters × 2 simulated agents, one pool edit per cluster, ${how} (apply delay ${APPLY_DELAY_MS} ms)`,
  );
  const cp = await startControlPlane(cpOpts);
  let clusters: SimCluster[] = [];
  try {
    clusters = await simFleet(cp, SIM_CLUSTERS);
    await sleep(5000);
    const pools = new Map<string, PoolRow>();
    for (const c of clusters) pools.set(c.id, (await cp.call<PoolRow[]>('pools.list', { clusterId: c.id }))[0]!);
    const meter = harnessMeter();
    const d0 = treeUsage(cp.pid);
    const mutatedAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const mutationErrors: string[] = [];
    const tAll = Date.now();
    await Promise.all(
      clusters.map(async (c, i) => {
        if (rate > 0) await sleep(Math.max(0, tAll + (i * 1000) / rate - Date.now()));
        const p = pools.get(c.id)!;
        mutatedAt.set(c.id, Date.now());
        // A refused request (e.g. the database pool's transaction wait under a burst) is sent again
        // after a second, as a client would; latency still counts from the first try.
        for (let attempt = 1; ; attempt++) {
          try {
            await cp.call(
              'pools.update',
              { id: p.id, version: p.version, pool: { name: p.pool.name, servers: [p.pool.servers[0]!] } },
              true,
            );
            break;
          } catch (e) {
            mutationErrors.push((e as Error).message.slice(0, 160));
            if (attempt >= 5) throw e;
            await sleep(1000);
          }
        }
        answeredAt.set(c.id, Date.now());
      }),
    );
    const all = clusters.flatMap((c) => [c.master, c.backup]);
    await waitFor(() => all.every((a) => a.pushes.some((p) => p.revision === 2 && p.ackedAt !== null)) || undefined, {
      timeoutMs: 180_000,
      intervalMs: 100,
      what: 'every simulated agent to apply revision 2',
    });
    const wallS = (Date.now() - tAll) / 1000;
    const harness = meter.stop();
    const d1 = treeUsage(cp.pid);
    const pushed = new Map(
      logLines(cp.log(), 'revision pushed')
        .filter((l) => l.revision === 2)
        .map((l) => [String(l.node), Number(l.time)]),
    );
    const backup: number[] = [];
    const master: number[] = [];
    const masterWait: number[] = [];
    const mutationMs: number[] = [];
    const answerToPush: number[] = [];
    const pushToAck: number[] = [];
    for (const c of clusters) {
      const b = c.backup.pushes.find((p) => p.revision === 2)!;
      const m = c.master.pushes.find((p) => p.revision === 2)!;
      backup.push(b.ackedAt! - mutatedAt.get(c.id)!);
      mutationMs.push(answeredAt.get(c.id)! - mutatedAt.get(c.id)!);
      const bPushed = pushed.get(c.backup.opts.node) ?? b.receivedAt;
      answerToPush.push(bPushed - answeredAt.get(c.id)!);
      pushToAck.push(b.ackedAt! - bPushed);
      const mPushed = pushed.get(c.master.opts.node) ?? m.receivedAt;
      master.push(m.ackedAt! - mPushed);
      pushToAck.push(m.ackedAt! - mPushed);
      masterWait.push(mPushed - b.ackedAt!);
    }
    const both = percentiles([...backup, ...master]);
    const r = {
      clusters: SIM_CLUSTERS,
      agents: 2 * SIM_CLUSTERS,
      mutationsPerS: rate === 0 ? 'all at once' : rate,
      applyDelayMs: APPLY_DELAY_MS,
      ackMs: both,
      backupAckMs: percentiles(backup),
      masterAckFromPushMs: percentiles(master),
      parts: {
        mutationRequestMs: percentiles(mutationMs),
        backupPushedAfterMutationAnsweredMs: percentiles(answerToPush),
        pushToStoredAckMs: percentiles(pushToAck),
      },
      masterPushedAfterBackupAckMs: percentiles(masterWait),
      mutationsRefused: mutationErrors.length,
      mutationErrors: [...new Set(mutationErrors)].slice(0, 3),
      wallSeconds: round(wallS, 2),
      dashboardCpuSeconds: round(d1.cpuSeconds - d0.cpuSeconds, 2),
      harness,
    };
    if (mutationErrors.length)
      console.log(
        `  ${mutationErrors.length} mutation requests refused and sent again: ${r.mutationErrors.join(' | ')}`,
      );
    console.log(
      `  ack latency over ${both.n} agents: p50 ${both.p50} ms, p95 ${both.p95} ms, p99 ${both.p99} ms, max ${both.max} ms (target p99 < ${TARGETS.pushP99Ms} ms: ${met(both.p99 < TARGETS.pushP99Ms)})`,
    );
    console.log(
      `  backups (from the mutation request): ${JSON.stringify(r.backupAckMs)}; masters (from the push): ${JSON.stringify(r.masterAckFromPushMs)}`,
    );
    console.log(
      `  parts: the mutation request ${JSON.stringify(r.parts.mutationRequestMs)}; answered → backup pushed ${JSON.stringify(r.parts.backupPushedAfterMutationAnsweredMs)}; push → stored ack ${JSON.stringify(r.parts.pushToStoredAckMs)}`,
    );
    console.log(`  master pushed after its backup's ack (left out): ${JSON.stringify(r.masterPushedAfterBackupAckMs)}`);
    console.log(
      `  all ${r.agents} applied ${r.wallSeconds} s after the first mutation; dashboard ${r.dashboardCpuSeconds} CPU s; harness ${harness.cores} cores, loop delay p99 ${harness.loopDelayP99Ms} ms`,
    );
    return r;
  } finally {
    await stopFleet(clusters);
    await cp.stop();
  }
}

// --- the lab: push to real agents, and manual failover ---------------------------------------

type Deployment = { node: string; status: string; finishedAt: string | null };

async function labRuns(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const cp = await startControlPlane(cpOpts);
  let lab: Lab | undefined;
  const agents: LabAgent[] = [];
  try {
    lab = await referenceLab();
    await cp.bridge(lab.unixSocketPath('hub'));
    const dashboard = {
      query: <T>(path: string, input: unknown) => cp.call<T>(path, input),
      mutate: <T>(path: string, input: unknown) => cp.call<T>(path, input, true),
    };
    const started = await startEnrolledAgents(lab, dashboard, {
      spec: referenceSpec(),
      hubSocket: lab.unixSocketPath('hub'),
    });
    const cluster = { id: started.clusterId };
    agents.push(started.agent.lb1, started.agent.lb2);
    const deployments = async (number: number) =>
      (await cp.call<{ deployments: Deployment[] }>('clusters.revision', { clusterId: cluster.id, number }))
        .deployments;
    const allApplied = async (number: number) =>
      (await deployments(number)).every((d) => d.status === 'applied') ? true : undefined;
    await waitRevisionApplied(dashboard, cluster.id, 1);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);

    if (ONLY.includes('push-real')) {
      console.log(`\n## config push: 2 real agents (lab, real nginx), ${ROUNDS} pool edits one after the other`);
      const backup: number[] = [];
      const master: number[] = [];
      const masterWait: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const [webs] = await cp.call<PoolRow[]>('pools.list', { clusterId: cluster.id });
        const servers =
          i % 2 === 0
            ? [{ address: REF.web2, port: 80 }]
            : [
                { address: REF.web1, port: 80 },
                { address: REF.web2, port: 80 },
              ];
        const t = Date.now();
        const r = await cp.call<{ revision?: number }>(
          'pools.update',
          { id: webs!.id, version: webs!.version, pool: { name: 'webs', servers } },
          true,
        );
        const number = i + 2;
        void r;
        await waitFor(() => allApplied(number), {
          timeoutMs: 30_000,
          intervalMs: 50,
          what: `revision ${number} applied on both nodes`,
        });
        const ds = await deployments(number);
        const at = (node: string) => Date.parse(ds.find((d) => d.node === node)!.finishedAt!);
        const pushedAt = logLines(cp.log(), 'revision pushed').find((l) => l.node === 'lb1' && l.revision === number);
        backup.push(at('lb2') - t);
        if (pushedAt) {
          master.push(at('lb1') - Number(pushedAt.time));
          masterWait.push(Number(pushedAt.time) - at('lb2'));
        }
      }
      const both = percentiles([...backup, ...master]);
      out.pushReal = {
        rounds: ROUNDS,
        ackMs: both,
        backupAckMs: percentiles(backup),
        masterAckFromPushMs: percentiles(master),
        masterPushedAfterBackupAckMs: percentiles(masterWait),
      };
      console.log(
        `  apply latency over ${both.n} applies: p50 ${both.p50} ms, p95 ${both.p95} ms, p99 ${both.p99} ms, max ${both.max} ms (target p99 < ${TARGETS.pushP99Ms} ms: ${met(both.p99 < TARGETS.pushP99Ms)})`,
      );
      console.log(
        `  backup lb2 (from the mutation): ${JSON.stringify(percentiles(backup))}; master lb1 (from the push): ${JSON.stringify(percentiles(master))}`,
      );
      console.log(
        `  master pushed after the backup's apply (the deliberate wait, left out): ${JSON.stringify(percentiles(masterWait))}`,
      );
    }

    if (ONLY.includes('failover')) {
      out.failover = await failover(cp, lab, cluster.id, started.nodeIds, agents, started.nginx);
    }
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await lab?.teardown();
    await cp.stop();
  }
  return out;
}

type FailoverRun = {
  failed: number;
  longestGapMs: number;
  vipMs: number | null;
  requests: number;
  backends: Record<string, number>;
};

async function probeAround(lab: Lab, to: 'lb1' | 'lb2', act: () => Promise<void>): Promise<FailoverRun> {
  const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, {
    rateHz: 100,
    maxDurationMs: 60_000,
    requestTimeoutMs: 1000,
  });
  let records: ProbeRecord[];
  let vipMs: number | null = null;
  try {
    await sleep(1500);
    const t0 = Date.now();
    // The action runs beside the watch: stopping a daemon returns only once it has exited,
    // which can be long after the VIP moved.
    const acting = act();
    const moved = waitFor(async () => (await lab.holds(to, REF.vip)) || undefined, {
      timeoutMs: 15_000,
      intervalMs: 5,
      what: `${to} to hold the VIP`,
    })
      .then(() => (vipMs = Date.now() - t0))
      .catch(() => undefined);
    await acting;
    await moved;
    await sleep(2000);
  } finally {
    records = await probe.stop();
  }
  const s = summariseProbe(records);
  return { failed: s.failed, longestGapMs: s.longestGapMs, vipMs, requests: s.total, backends: s.backends };
}

async function failover(
  cp: ControlPlane,
  lab: Lab,
  clusterId: string,
  nodeIds: Record<'lb1' | 'lb2', string>,
  agents: LabAgent[],
  nginx: Record<'lb1' | 'lb2', LabNginx>,
): Promise<Record<string, unknown>> {
  console.log(
    `\n## manual failover through the API under a 100 req/s probe, beside keepalived's graceful hand-over (${FAILOVER_RUNS} runs each)`,
  );
  const [vi] = await cp.call<{ id: string; instance: { name: string } }[]>('instances.list', { clusterId });
  const nodeId = (name: 'lb1' | 'lb2') => nodeIds[name];
  const keepwatch: (FailoverRun & { error?: string })[] = [];
  const released: FailoverRun[] = [];
  for (let i = 0; i < FAILOVER_RUNS; i++) {
    try {
      await lab.waitForHolders(REF.vip, ['lb1'], 15_000);
      const run = await probeAround(lab, 'lb2', async () => {
        await cp.call('failover.promote', { instanceId: vi!.id, nodeId: nodeId('lb2') }, true);
      });
      keepwatch.push(run);
      console.log(`  keepwatch promote run ${i + 1}: ${JSON.stringify(run)}`);
      // Back to normal: the override ends and lb1 (priority 100, preempting) takes the VIP
      // again — measured too, for information (no target).
      const back = await probeAround(lab, 'lb1', async () => {
        await cp.call('failover.release', { instanceId: vi!.id }, true);
      });
      released.push(back);
      console.log(`  keepwatch release (preempt back) run ${i + 1}: ${JSON.stringify(back)}`);
      await lab.waitForHolders(REF.vip, ['lb1'], 15_000);
      await sleep(2000);
    } catch (e) {
      keepwatch.push({
        failed: NaN,
        longestGapMs: NaN,
        vipMs: null,
        requests: 0,
        backends: {},
        error: (e as Error).message.slice(0, 300),
      });
      console.log(`  keepwatch promote run ${i + 1} failed: ${(e as Error).message.slice(0, 300)}`);
      break;
    }
  }
  // keepalived on the same lab and nginx: the agents stop first (they speak VRRP on the same VRID).
  for (const a of agents) await a.stop();
  const ka = keepalivedDriver(lab, nginx, { version: 3, advertIntervalMs: 100, checkIntervalS: 2 });
  const keepalived: FailoverRun[] = [];
  try {
    for (let i = 0; i < FAILOVER_RUNS; i++) {
      await ka.start('lb1');
      if (i === 0) await ka.start('lb2');
      await lab.waitForHolders(REF.vip, ['lb1'], 15_000);
      await sleep(1000);
      const run = await probeAround(lab, 'lb2', () => ka.stop('lb1'));
      keepalived.push(run);
      console.log(`  keepalived graceful stop run ${i + 1}: ${JSON.stringify(run)}`);
    }
  } finally {
    await ka.stop('lb1').catch(() => undefined);
    await ka.stop('lb2').catch(() => undefined);
  }
  const summary = (runs: FailoverRun[]) => ({
    failedTotal: runs.reduce((s, r) => s + r.failed, 0),
    failedMax: Math.max(...runs.map((r) => r.failed)),
    longestGapMsMax: Math.max(...runs.map((r) => r.longestGapMs)),
    vipMs: runs.map((r) => r.vipMs),
  });
  const kw = summary(keepwatch);
  const kd = summary(keepalived);
  const ok = keepwatch.length === FAILOVER_RUNS && keepwatch.every((r) => r.failed === 0 && r.vipMs !== null);
  console.log(
    `  keepwatch promote: failed ${kw.failedTotal} over ${keepwatch.length} runs, longest gap ${kw.longestGapMsMax} ms, VIP at ${JSON.stringify(kw.vipMs)} ms (target zero failed: ${met(ok)})`,
  );
  console.log(
    `  keepalived SIGTERM: failed ${kd.failedTotal} over ${keepalived.length} runs, longest gap ${kd.longestGapMsMax} ms, VIP at ${JSON.stringify(kd.vipMs)} ms`,
  );
  if (released.length)
    console.log(
      `  keepwatch release (preempt back, no target): failed ${summary(released).failedTotal}, longest gap ${summary(released).longestGapMsMax} ms`,
    );
  return {
    keepwatch,
    released,
    keepalived,
    summary: { keepwatch: kw, released: released.length ? summary(released) : null, keepalived: kd },
    vrrp: 'v3 0.1 s',
  };
}

async function main(): Promise<void> {
  console.log(`dashboard NODE_OPTIONS: ${NODE_OPTIONS === '' ? "'' (V8's defaults)" : NODE_OPTIONS}`);
  console.log(
    `dashboard node flags: ${NODE_ARGS.join(' ') || '(none)'}${COMPILED ? ', compiled server' : ', server.ts under tsx'}`,
  );
  const results: Record<string, unknown> = {
    started: new Date().toISOString(),
    settings: {
      only: ONLY,
      agents: AGENTS,
      mutationRates: MUTATION_RATES,
      durationS: DURATION_S,
      simClusters: SIM_CLUSTERS,
      applyDelayMs: APPLY_DELAY_MS,
      rounds: ROUNDS,
      failoverRuns: FAILOVER_RUNS,
      warmupS: WARMUP_S,
      nodeOptions: NODE_OPTIONS,
      nodeArgs: NODE_ARGS,
      compiled: COMPILED,
    },
    targets: TARGETS,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}control-plane-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const save = () => writeFileSync(file, JSON.stringify(results, null, 1));
  let failed = false;
  const part = async (name: string, fn: () => Promise<unknown>) => {
    // The machine is shared: the load before and after each part says how quiet it was.
    const loadBefore = loadavg().map((x) => round(x, 2));
    try {
      results[name] = {
        ...((await fn()) as object),
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg().map((x) => round(x, 2)),
      };
    } catch (e) {
      failed = true;
      results[name] = { error: (e as Error).message };
      console.error(`${name} failed: ${(e as Error).stack}`);
    }
    save();
  };
  if (ONLY.includes('heartbeats')) await part('heartbeats', heartbeats);
  if (ONLY.includes('push-sim')) await part('pushSim', pushSim);
  if (ONLY.includes('push-real') || ONLY.includes('failover')) await part('lab', labRuns);
  results.fleets = fleetStats;
  save();
  console.log(`\nresults: ${file}`);
  if (failed) process.exitCode = 1;
}

await main();
