/**
 * Edits pushed from the dashboard to enrolled agents while traffic flows through the VIP: the
 * watch around one edit, the agents' transitions and the dashboard's rows the edits change
 * (tests/agent/hitless-edit and hitless-moves).
 */
import { startProbe, waitRevisionApplied, type Lab, type LabAgent } from '@keepwatch/lab';
import type { TrpcHttp } from './trpc-http.js';

/** The cluster the edits go to, and its revision number so far: each edit adds one. */
export type EditedCluster = { id: string; revision: number };

/** An instance's VRRP transitions so far, per node (from each agent's log). */
export function transitions(agents: Record<string, LabAgent>, instance: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(agents).map(([lb, a]) => [
      lb,
      a
        .log()
        .split('\n')
        .filter((l) => l.includes('"vrrp transition"') && l.includes(`"instance":"${instance}"`)).length,
    ]),
  );
}

/**
 * Runs `edit` (one dashboard change, one new revision) under a probe through `vip` at `rateHz`,
 * sampling the VIP's holders every 50 ms, until both nodes applied it and `settleMs` more. Returns
 * the probe's records, the samples (each the holders sorted, comma-joined; '' for none), when
 * each sample was complete and when the edit was sent (sampling slows under load: compare times,
 * not sample counts).
 */
export async function underProbe(
  lab: Lab,
  api: TrpcHttp,
  cluster: EditedCluster,
  o: { vip: string; rateHz: number; settleMs: number },
  edit: () => Promise<unknown>,
) {
  const probe = await startProbe(lab, 'client', `http://${o.vip}/`, { rateHz: o.rateHz, maxDurationMs: 30_000 });
  const holders: string[] = [];
  const sampledAt: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 600; i++) {
      holders.push((await lab.holders(o.vip)).sort().join(','));
      sampledAt.push(Date.now());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const editedAt = Date.now();
  try {
    await edit();
    cluster.revision += 1;
    await waitRevisionApplied(api, cluster.id, cluster.revision);
    await new Promise((r) => setTimeout(r, o.settleMs));
  } finally {
    sampling = false;
    await sampler;
    await probe.stop().catch(() => undefined);
  }
  return { records: probe.records(), holders, sampledAt, editedAt };
}

type Row<K extends string, T> = { id: string; version: number } & Record<K, T>;

/** The dashboard's row of instance `name` (its id, and the version an update is based on). */
export async function instanceRow<I extends { name: string }>(api: TrpcHttp, clusterId: string, name: string) {
  const rows = await api.query<Row<'instance', I>[]>('instances.list', { clusterId });
  return rows.find((r) => r.instance.name === name)!;
}

/** Changes instance `name` as the dashboard's form does: an update of the stored instance, based on its version. */
export async function editInstance<I extends { name: string }>(
  api: TrpcHttp,
  clusterId: string,
  name: string,
  change: (i: I) => I,
): Promise<void> {
  const row = await instanceRow<I>(api, clusterId, name);
  await api.mutate('instances.update', { id: row.id, version: row.version, instance: change(row.instance) });
}

/** Changes check `name` the same way. */
export async function editCheck<C extends { name: string }>(
  api: TrpcHttp,
  clusterId: string,
  name: string,
  change: (c: C) => C,
): Promise<void> {
  const rows = await api.query<Row<'check', C>[]>('checks.list', { clusterId });
  const row = rows.find((r) => r.check.name === name)!;
  await api.mutate('checks.update', { id: row.id, version: row.version, check: change(row.check) });
}

/** The holders in order, each run of equal samples once ('' is a sample without a holder). */
export const runs = (holders: readonly string[]) => holders.filter((h, i) => i === 0 || h !== holders[i - 1]);

/** Bursts of ARP announcements of `address` (lines less than 150 ms apart are one burst). */
export function arpBursts(lines: readonly string[], address: string): number {
  const times = lines
    .filter((l) => l.includes(address))
    .map((l) => /^(\d\d):(\d\d):(\d\d\.\d+)/.exec(l))
    .filter((m) => m !== null)
    .map((m) => (Number(m[1]) * 60 + Number(m[2])) * 60_000 + Number(m[3]) * 1000);
  return times.filter((t, i) => i === 0 || t - times[i - 1]! > 150).length;
}
