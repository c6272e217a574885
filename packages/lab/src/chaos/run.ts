/**
 * The chaos soak: the cluster, the schedule played fault after fault, the client's observations
 * (wire, probe, dashboard) gathered, then the invariants checked and the records audited.
 */
import { readFileSync } from 'node:fs';
import { startProbe } from '../probe.js';
import { waitRevisionApplied } from '../enrolled.js';
import { REF } from '../reference-topology.js';
import { CHAOS_ADDR, CHAOS_LBS, startChaosCluster } from './cluster.js';
import { injectFault, type MutationCounts } from './faults.js';
import {
  checkInvariants,
  faultFigures,
  holdingSpells,
  masterDownInterval,
  parseAdverts,
  settleBound,
  type Bounds,
  type DashboardSample,
  type FaultFigures,
  type InjectedFault,
  type Violation,
} from './observer.js';
import { describeFault, planFaults, type FaultKind } from './schedule.js';

export type ChaosOptions = {
  seed: number;
  durationMs: number;
  kinds?: readonly FaultKind[];
  /** Margin added to every bound for a loaded box (default 1000 ms). */
  loadMarginMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
};

export type ChaosReport = {
  seed: number;
  startedAt: string;
  wallMs: number;
  bounds: Bounds & { settleMs: number };
  faults: (InjectedFault & { line: string })[];
  byKind: Record<string, number>;
  injectionErrors: string[];
  /** Each with the seed and the time from the soak's start, so it replays. */
  violations: (Violation & { seed: number; atS: number })[];
  /** Per fault: failed requests, recovery, outage, and the masters the wire saw from its start to the next fault's. */
  figures: (Omit<FaultFigures, 'fault'> & { masters: string })[];
  worstRecovery: { ms: number; fault: string } | null;
  worstOutage: { ms: number; fault: string } | null;
  probe: { total: number; failed: number };
  adverts: number;
  integrity: {
    auditVerified: boolean;
    auditBefore: number;
    auditAfter: number;
    mutations: number;
    revisionsBefore: number;
    revisionsAfter: number;
    revisionEdits: number;
    revisionNumbersContiguous: boolean;
    lastRevisionApplied: boolean;
    problems: string[];
  };
};

/** The wire's master spells overlapping [from, to), e.g. "lb1 → lb2 (+0.4s) → lb1 (+3.1s)". */
function mastersDuring(spells: { node: string; from: number; to: number }[], from: number, to: number): string {
  return spells
    .filter((s) => s.to > from && s.from < to)
    .map((s) => (s.from > from ? `${s.node} (+${((s.from - from) / 1000).toFixed(1)}s)` : s.node))
    .join(' → ');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Audit = { ok: boolean; count: number };
type Revisions = { number: number }[] | { items: { number: number }[] };
const revisionNumbers = (r: Revisions) => (Array.isArray(r) ? r : r.items).map((x) => x.number);

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const wallStart = Date.now();
  const schedule = planFaults({ seed: opts.seed, durationMs: opts.durationMs, nodes: CHAOS_LBS, kinds: opts.kinds });
  const advertIntervalMs = 100;
  // The slowest backup: lb3 at 60, or a priority edit down to 50.
  const bounds: Bounds = {
    advertIntervalMs,
    masterDownMs: Math.ceil(masterDownInterval(advertIntervalMs, 50)),
    loadMarginMs: opts.loadMarginMs ?? 1000,
    dashboardSettleMs: 2000,
  };
  const c = await startChaosCluster();
  log(`cluster up in ${Date.now() - wallStart} ms; ${schedule.length} faults planned`);
  const counts: MutationCounts = { mutations: 0, revisions: 0 };
  const injected: InjectedFault[] = [];
  const samples: DashboardSample[] = [];
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();
  try {
    const revs = async () =>
      revisionNumbers(await c.plane.query<Revisions>('clusters.revisions', { clusterId: c.clusterId, limit: 500 }));
    const auditBefore = (await c.plane.query<Audit>('audit.verify', {})).count;
    const revisionsBefore = Math.max(...(await revs()));
    const probe = await startProbe(c.lab, 'client', `http://${REF.vip}/`, {
      rateHz: 20,
      maxDurationMs: opts.durationMs + 180_000,
    });
    const t0 = Date.now();
    sampler = (async () => {
      for (let i = 0; sampling && i < 1_000_000; i++) {
        try {
          const s = await c.plane.query<{ instances: { master: string | null }[] }>('failover.status', {
            clusterId: c.clusterId,
          });
          samples.push({ t: Date.now(), master: s.instances[0]?.master ?? null });
        } catch {
          // the dashboard or its database is down: no sample
        }
        await sleep(500);
      }
    })();
    let shift = 0;
    for (const f of schedule) {
      const due = t0 + f.at + shift;
      if (due > Date.now()) await sleep(due - Date.now());
      else shift += Date.now() - due; // an earlier fault took longer than planned: keep the quiet time
      const done = await injectFault(c, f, counts);
      injected.push(done);
      log(`${describeFault(f)} took ${done.end - done.start} ms${done.error ? ` ERROR ${done.error}` : ''}`);
      shift += done.end - done.start - f.duration;
    }
    // A quiet tail: the last fault recovers and the dashboard catches up.
    await sleep(6000 + bounds.loadMarginMs);
    const t1 = Date.now();
    sampling = false;
    await sampler;
    const records = await probe.stop();

    // Integrity: every mutation audited, the chain intact, every revision there and applied.
    const problems: string[] = [];
    const audit = await c.plane.query<Audit>('audit.verify', {});
    const numbers = (await revs()).sort((a, b) => a - b);
    const revisionsAfter = numbers.at(-1) ?? 0;
    const contiguous = numbers.every((n, i) => n === i + 1);
    let applied = true;
    try {
      await waitRevisionApplied(c.plane, c.clusterId, revisionsAfter, 60_000);
    } catch (e) {
      applied = false;
      problems.push((e as Error).message);
    }
    if (!audit.ok) problems.push(`audit chain broken: ${JSON.stringify(audit)}`);
    if (audit.count < auditBefore + counts.mutations)
      problems.push(`audit records: ${audit.count} after, ${auditBefore} before + ${counts.mutations} mutations`);
    if (revisionsAfter < revisionsBefore + counts.revisions)
      problems.push(`revisions: ${revisionsAfter} after, ${revisionsBefore} before + ${counts.revisions} edits`);
    if (!contiguous) problems.push(`revision numbers not contiguous: ${numbers.join(',')}`);

    const nodeByAddress = Object.fromEntries(CHAOS_LBS.map((lb) => [CHAOS_ADDR[lb], lb]));
    const adverts = parseAdverts(readFileSync(c.capture, 'utf8'), nodeByAddress).filter((a) => a.vrid === 51);
    const span = { from: t0, to: t1 };
    const probeSamples = records.map((r) => ({ t: r.sentAt, ok: r.ok }));
    const violations = checkInvariants(
      { adverts, dashboard: samples, probe: probeSamples, faults: injected, span },
      bounds,
    ).map((v) => ({ ...v, seed: opts.seed, atS: Math.round((v.at - t0) / 100) / 10 }));
    const figures = faultFigures(injected, probeSamples, t1);
    const spells = holdingSpells(adverts, bounds);
    const worst = (key: 'recoveryMs' | 'outageMs') => {
      const w = [...figures].sort((a, b) => b[key] - a[key])[0];
      return w ? { ms: w[key], fault: describeFault(w.fault) } : null;
    };
    const byKind: Record<string, number> = {};
    for (const f of injected) byKind[f.fault] = (byKind[f.fault] ?? 0) + 1;
    return {
      seed: opts.seed,
      startedAt: new Date(t0).toISOString(),
      wallMs: Date.now() - wallStart,
      bounds: { ...bounds, settleMs: settleBound(bounds) },
      faults: injected.map((f) => ({ ...f, line: describeFault(f) })),
      byKind,
      injectionErrors: injected.filter((f) => f.error).map((f) => `${describeFault(f)}: ${f.error}`),
      violations,
      figures: figures.map(({ fault, ...rest }, i) => ({
        ...rest,
        masters: mastersDuring(spells, fault.start, figures[i + 1]?.fault.start ?? t1),
      })),
      worstRecovery: worst('recoveryMs'),
      worstOutage: worst('outageMs'),
      probe: { total: records.length, failed: records.filter((r) => !r.ok).length },
      adverts: adverts.length,
      integrity: {
        auditVerified: audit.ok,
        auditBefore,
        auditAfter: audit.count,
        mutations: counts.mutations,
        revisionsBefore,
        revisionsAfter,
        revisionEdits: counts.revisions,
        revisionNumbersContiguous: contiguous,
        lastRevisionApplied: applied,
        problems,
      },
    };
  } finally {
    sampling = false;
    await sampler.catch(() => undefined);
    await c.stop();
  }
}
