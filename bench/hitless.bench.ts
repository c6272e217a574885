// Hitless changes (issue #14, item 4): one configuration edit at a time under a 100 req/s probe
// through the VIP (a new connection per request, 1 s timeout), keepwatch-agent (the edit made in a
// real dashboard, pushed to both nodes) beside keepalived 2.2.7 (the same edit made in its
// keepalived.conf on each host and `reload` by SIGHUP, the backup first), in the same run, VRRPv3
// at 0.1 s. Per row: failed requests, VIP moves seen by sampling both hosts every 50 ms (requested
// or not), and the time until both nodes run the change.
//
//   npm run bench -- hitless [--runs 1] [--kind NAME] [--driver keepwatch|keepalived]
//
// JSON under bench/results/. Not here yet: v2 at 1 s, preempt, member and password edits, agent
// restart and package upgrade rows (the warm-restart and package tests cover those two).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bridgePort,
  LabNginx,
  REF,
  referenceKeepalived,
  referenceLab,
  referenceNginxSite,
  referenceSpec,
  startBackend,
  startChaosPlane,
  startEnrolledAgents,
  startProbe,
  summariseProbe,
  waitRevisionApplied,
  type ChaosPlane,
  type Lab,
  type LabKeepalived,
} from '@keepwatch/lab';

type Kind =
  'check-interval' | 'vip-add' | 'priority-keep' | 'priority-move' | 'advert-interval' | 'hmac-on' | 'hmac-rotate';
const KINDS: Kind[] = [
  'check-interval',
  'vip-add',
  'priority-keep',
  'priority-move',
  'advert-interval',
  'hmac-on',
  'hmac-rotate',
];
/** Signed adverts (auth_hmac): keepalived 2.2.7 has none, and 2.4 changes them in three manual sweeps. */
const KEEPWATCH_ONLY: readonly Kind[] = ['hmac-on', 'hmac-rotate'];
const hmacKey = (id: number, byte: string) => ({ keys: [{ id, hex: byte.repeat(32) }], activeKey: id });
/** The edits that ask the VIP to move (lb2 raised above lb1). */
const REQUESTED_MOVES: Partial<Record<Kind, number>> = { 'priority-move': 1 };
const EXTRA_VIP = '198.51.100.201';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 1);
const ONLY_KIND = arg('kind');
const ONLY_DRIVER = arg('driver');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Row = {
  driver: string;
  kind: Kind;
  failed: number;
  total: number;
  moves: number;
  unrequested: number;
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
    async stop(): Promise<number> {
      on = false;
      await done;
      const single = seen.filter((h) => h !== '' && !h.includes(','));
      return single.filter((h, i) => i > 0 && h !== single[i - 1]).length;
    },
  };
}

/** Runs `edit` under the probe and the sampler; resolves with the row's figures. */
async function measure(lab: Lab, driver: string, kind: Kind, edit: () => Promise<number>): Promise<Row> {
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
    await sleep(2000);
  } finally {
    await probe.stop().catch(() => undefined);
  }
  const moves = await holders.stop();
  const s = summariseProbe(probe.records());
  return {
    driver,
    kind,
    failed: s.failed,
    total: s.total,
    moves,
    unrequested: Math.max(0, moves - (REQUESTED_MOVES[kind] ?? 0)),
    appliedMs,
  };
}

// ---- keepwatch: the edit in the dashboard, pushed to both agents ----

async function keepwatchRow(plane: ChaosPlane, kind: Kind, run: number): Promise<Row> {
  const lab = await referenceLab();
  const bridge = await bridgePort(lab, 'hub', plane.port);
  try {
    const spec = referenceSpec({
      name: `hitless-${kind}-${run}-${lab.runId}`,
      version: 3,
      advertIntervalMs: 100,
      check: [{ kind: 'nginx', name: 'check_nginx', intervalMs: 1000 }],
      ...(kind === 'hmac-rotate' ? { instance: { authHmac: hmacKey(1, 'a1') } } : {}),
    });
    const { clusterId } = await startEnrolledAgents(lab, plane, { spec, hubSocket: bridge.path, metrics: false });
    await waitRevisionApplied(plane, clusterId, 1, 60_000);
    await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
    type Versioned<K extends string, T> = { id: string; version: number } & Record<K, T>;
    type Instance = NonNullable<typeof spec.vrrpInstances>[number];
    const editInstance = async (change: (i: Instance) => Instance) => {
      const [row] = await plane.query<Versioned<'instance', Instance>[]>('instances.list', { clusterId });
      await plane.mutate('instances.update', { id: row!.id, version: row!.version, instance: change(row!.instance) });
    };
    const lb2Priority = (p: number) => (i: Instance) => ({
      ...i,
      members: i.members.map((m) => (m.node === 'lb2' ? { ...m, priority: p } : m)),
    });
    return await measure(lab, 'keepwatch', kind, async () => {
      const t0 = Date.now();
      if (kind === 'check-interval') {
        type Check = NonNullable<typeof spec.checks>[number];
        const [row] = await plane.query<Versioned<'check', Check>[]>('checks.list', { clusterId });
        await plane.mutate('checks.update', {
          id: row!.id,
          version: row!.version,
          check: { ...row!.check, intervalMs: 2000 },
        });
      } else if (kind === 'vip-add') await editInstance((i) => ({ ...i, vips: [...i.vips, { address: EXTRA_VIP }] }));
      else if (kind === 'priority-keep') await editInstance(lb2Priority(90));
      else if (kind === 'priority-move') await editInstance(lb2Priority(120));
      else if (kind === 'hmac-on') await editInstance((i) => ({ ...i, authHmac: hmacKey(1, 'a1') }));
      else if (kind === 'hmac-rotate') await editInstance((i) => ({ ...i, authHmac: hmacKey(2, 'b2') }));
      else await editInstance((i) => ({ ...i, advertIntervalMs: 200 }));
      await waitRevisionApplied(plane, clusterId, 2, 30_000);
      return Date.now() - t0;
    });
  } finally {
    await lab.teardown().catch(() => undefined);
    await bridge.close().catch(() => undefined);
  }
}

// ---- keepalived 2.2.7: the edit in each host's keepalived.conf, then SIGHUP (backup first) ----

function keepalivedEdit(kind: Kind, lb: 'lb1' | 'lb2', conf: string): string {
  switch (kind) {
    case 'check-interval':
      return conf.replace(/\binterval 1\b/, 'interval 2');
    case 'vip-add':
      return conf.replace(/(virtual_ipaddress \{\n(\s+)\S+)/, `$1\n$2${EXTRA_VIP}`);
    case 'priority-keep':
      return lb === 'lb2' ? conf.replace(/priority 80\b/, 'priority 90') : conf;
    case 'priority-move':
      return lb === 'lb2' ? conf.replace(/priority 80\b/, 'priority 120') : conf;
    case 'advert-interval':
      return conf.replace(/advert_int 0\.1\b/, 'advert_int 0.2');
    case 'hmac-on':
    case 'hmac-rotate':
      throw new Error(`${kind}: keepwatch only`);
  }
}

async function keepalivedRow(kind: Kind): Promise<Row> {
  const lab = await referenceLab();
  try {
    await startBackend(lab, 'web1', 'web1');
    await startBackend(lab, 'web2', 'web2');
    const ka = {} as Record<'lb1' | 'lb2', LabKeepalived>;
    for (const lb of ['lb1', 'lb2'] as const) {
      const nginx = new LabNginx(lab, lb);
      nginx.configure(referenceNginxSite());
      await nginx.start();
      ka[lb] = referenceKeepalived(lab, nginx, lb === 'lb1' ? 'master' : 'backup', {
        fast: true,
        checkIntervalS: 1,
      }).keepalived;
    }
    await ka.lb1.start();
    await ka.lb2.start();
    await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
    return await measure(lab, 'keepalived', kind, async () => {
      const t0 = Date.now();
      for (const lb of ['lb2', 'lb1'] as const) {
        const before = readFileSync(ka[lb].confPath, 'utf8');
        const after = keepalivedEdit(kind, lb, before);
        if (after !== before) {
          ka[lb].configure(after);
          lab.signal(ka[lb].pid()!, 'SIGHUP');
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

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const loadBefore = loadavg();
const rows: Row[] = [];
const kinds = KINDS.filter((k) => !ONLY_KIND || k === ONLY_KIND);
let plane: ChaosPlane | null = null;
try {
  for (let run = 0; run < RUNS; run++) {
    for (const kind of kinds) {
      if (!ONLY_DRIVER || ONLY_DRIVER === 'keepwatch') {
        plane ??= await startChaosPlane();
        rows.push(await keepwatchRow(plane, kind, run));
        console.log(JSON.stringify(rows.at(-1)));
      }
      if ((!ONLY_DRIVER || ONLY_DRIVER === 'keepalived') && !KEEPWATCH_ONLY.includes(kind)) {
        rows.push(await keepalivedRow(kind));
        console.log(JSON.stringify(rows.at(-1)));
      }
    }
  }
} finally {
  await plane?.stop().catch(() => undefined);
}

console.log(
  `\nhitless changes, VRRPv3 0.1 s, ${RUNS} run(s), commit ${commit}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| edit | driver | failed / requests | VIP moves (unrequested) | applied on both (ms) |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.kind} | ${r.driver} | ${r.failed} / ${r.total} | ${r.moves} (${r.unrequested}) | ${Math.round(r.appliedMs)} |`,
  );
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = join(dir, `hitless-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ commit, loadBefore, loadAfter: loadavg(), runs: RUNS, rows }, null, 2));
console.log(`\n${file}`);
