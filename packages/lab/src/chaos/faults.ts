/**
 * Injecting and undoing one fault of the schedule on the chaos cluster (the imperative shell).
 * Every fault is undone by the time `injectFault` resolves, so faults never overlap.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runOk } from '../exec.js';
import type { ChaosCluster, ChaosLb } from './cluster.js';
import { CHAOS_EXTRA_VIP } from './cluster.js';
import type { InjectedFault } from './observer.js';
import type { ScheduledFault } from './schedule.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What the dashboard was asked to do, for the integrity check after the soak. */
export type MutationCounts = { mutations: number; revisions: number };

type Row<K extends string, T> = { id: string; version: number } & Record<K, T>;
type Check = { name: string; intervalMs: number; command?: unknown } & Record<string, unknown>;
type Instance = { name: string; vips: { address: string }[]; members: { node: string; priority: number }[] };

async function editCheck(c: ChaosCluster, name: string, change: (x: Check) => Check): Promise<void> {
  const rows = await c.plane.query<Row<'check', Check>[]>('checks.list', { clusterId: c.clusterId });
  const row = rows.find((r) => r.check.name === name);
  if (!row) throw new Error(`check ${name} missing`);
  await c.plane.mutate('checks.update', { id: row.id, version: row.version, check: change(row.check) });
}

async function editInstance(c: ChaosCluster, change: (i: Instance) => Instance): Promise<void> {
  const rows = await c.plane.query<Row<'instance', Instance>[]>('instances.list', { clusterId: c.clusterId });
  const row = rows.find((r) => r.instance.name === 'VI_1');
  if (!row) throw new Error('instance VI_1 missing');
  await c.plane.mutate('instances.update', { id: row.id, version: row.version, instance: change(row.instance) });
}

/** The edit a fault makes and the one that undoes it (each one dashboard mutation, one revision). */
function editPair(c: ChaosCluster, f: ScheduledFault): [() => Promise<void>, () => Promise<void>] {
  switch (f.params.edit) {
    case 'check-interval':
      return [
        () => editCheck(c, 'check_alive', (x) => ({ ...x, intervalMs: 700 })),
        () => editCheck(c, 'check_alive', (x) => ({ ...x, intervalMs: 500 })),
      ];
    case 'check-command':
      return [
        () => editCheck(c, 'check_alive', (x) => ({ ...x, command: { shell: 'exit 0' } })),
        () => editCheck(c, 'check_alive', (x) => ({ ...x, command: { argv: ['/bin/true'] } })),
      ];
    case 'vip-add':
      return [
        () => editInstance(c, (i) => ({ ...i, vips: [...i.vips, { address: CHAOS_EXTRA_VIP }] })),
        () => editInstance(c, (i) => ({ ...i, vips: i.vips.filter((v) => v.address !== CHAOS_EXTRA_VIP) })),
      ];
    case 'priority': {
      const node = f.params.node!;
      let before = 0;
      const set = (p: () => number) => (i: Instance) => ({
        ...i,
        members: i.members.map((m) => {
          if (m.node !== node) return m;
          before = before || m.priority;
          return { ...m, priority: p() };
        }),
      });
      return [
        () =>
          editInstance(
            c,
            set(() => f.params.priority!),
          ),
        () =>
          editInstance(
            c,
            set(() => before),
          ),
      ];
    }
    default:
      throw new Error(`unknown edit ${String(f.params.edit)}`);
  }
}

/** The fault's doing and undoing; `counts` hears every dashboard mutation that succeeded. */
function actions(
  c: ChaosCluster,
  f: ScheduledFault,
  counts: MutationCounts,
): [() => Promise<void>, () => Promise<void>] {
  const lb = f.params.node as ChaosLb;
  const sw = c.lab.switchNs;
  const mutation = (fn: () => Promise<unknown>, revision: boolean) => async () => {
    await fn();
    counts.mutations += 1;
    if (revision) counts.revisions += 1;
  };
  switch (f.fault) {
    case 'link-down':
      return [() => c.lab.setLink(lb, 'down'), () => c.lab.setLink(lb, 'up')];
    case 'partition':
      // The node's port leaves the bridge: its own link stays up, it just hears nobody.
      return [
        async () => void (await runOk('ip', ['-n', sw, 'link', 'set', c.port[lb], 'nomaster'])),
        async () => void (await runOk('ip', ['-n', sw, 'link', 'set', c.port[lb], 'master', `kw${c.lab.runId}br`])),
      ];
    case 'agent-kill':
    case 'agent-kill-restart':
      return [() => c.agent[lb].kill(), () => c.agent[lb].start()];
    case 'nginx-kill':
      return [() => c.nginx[lb].kill(), async () => undefined];
    case 'nginx-unstartable': {
      const conf = c.nginx[lb].confPath;
      const good = readFileSync(conf, 'utf8');
      return [
        async () => {
          writeFileSync(conf, 'this is not an nginx configuration;\n');
          await c.nginx[lb].kill();
        },
        async () => writeFileSync(conf, good),
      ];
    }
    case 'dashboard-restart':
      return [() => c.plane.stopDashboard(), () => c.plane.startDashboard()];
    case 'postgres-restart':
      return [() => c.plane.restartPostgres(), async () => undefined];
    case 'edit': {
      const [edit, undo] = editPair(c, f);
      return [mutation(edit, true), mutation(undo, true)];
    }
    case 'promote':
      return [
        mutation(() => c.plane.mutate('failover.promote', { instanceId: c.instanceId, nodeId: c.nodeIds[lb] }), false),
        mutation(() => c.plane.mutate('failover.release', { instanceId: c.instanceId }), false),
      ];
    case 'maintenance':
      return [
        mutation(() => c.plane.mutate('failover.maintenance', { nodeId: c.nodeIds[lb], enabled: true }), false),
        mutation(() => c.plane.mutate('failover.maintenance', { nodeId: c.nodeIds[lb], enabled: false }), false),
      ];
  }
}

/**
 * Does the fault, holds it for its duration, undoes it; resolves with when that began and ended.
 * A failure is recorded in `error` (and the undoing still tried) rather than thrown, so the soak goes on.
 */
export async function injectFault(c: ChaosCluster, f: ScheduledFault, counts: MutationCounts): Promise<InjectedFault> {
  const start = Date.now();
  const errors: string[] = [];
  const [doIt, undo] = actions(c, f, counts);
  try {
    await doIt();
    if (f.duration > 0) await sleep(f.duration);
  } catch (e) {
    errors.push(`inject: ${(e as Error).message}`);
  }
  try {
    await undo();
  } catch (e) {
    errors.push(`undo: ${(e as Error).message}`);
  }
  return { ...f, start, end: Date.now(), ...(errors.length ? { error: errors.join('; ').slice(0, 500) } : {}) };
}
