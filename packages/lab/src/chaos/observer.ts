/**
 * The chaos soak's observer as pure functions: what the client saw (VRRP adverts on the wire, the
 * probe through the VIP, the dashboard's idea of the master) and the faults as injected go in; the
 * invariant violations and per-fault recovery figures come out. Times are ms since the epoch.
 */
import type { ScheduledFault } from './schedule.js';

/** One advert seen on the client's segment. */
export type WireAdvert = { t: number; node: string; vrid: number; priority: number };
export type ProbeSample = { t: number; ok: boolean };
/** The dashboard's master for the instance (failover.status), when the answer came back. */
export type DashboardSample = { t: number; master: string | null };
/** A fault as it was injected: when its injection began and when its undoing finished. */
export type InjectedFault = ScheduledFault & { start: number; end: number; error?: string };

export type Bounds = {
  advertIntervalMs: number;
  /** RFC 5798 Master_Down_Interval of the slowest backup: 3 × interval + skew. */
  masterDownMs: number;
  /** Added to every bound for a loaded 2-core box (scheduling delays of agents and tcpdump). */
  loadMarginMs: number;
  /** The dashboard shows the wire's holder within this long of quiescence (default 2000). */
  dashboardSettleMs?: number;
};

export type Violation = {
  invariant: 'two-holders' | 'no-holder' | 'dashboard-holder' | 'not-served';
  /** When it began (epoch ms) and how long it lasted. */
  at: number;
  durationMs: number;
  detail: string;
};

/** RFC 5798 6.1: 3 × Master_Adver_Interval + (256 − priority) × Master_Adver_Interval / 256. */
export function masterDownInterval(advertIntervalMs: number, priority: number): number {
  return 3 * advertIntervalMs + ((256 - priority) * advertIntervalMs) / 256;
}

const ADVERT = /^(\d+\.\d+) IP6? (\S+) > \S+: VRRPv\d, Advertisement, vrid (\d+), prio (\d+)/;

/** Parses tcpdump `-tt -n` lines of VRRP adverts; sources not in `nodeByAddress` are ignored. */
export function parseAdverts(text: string, nodeByAddress: Record<string, string>): WireAdvert[] {
  const out: WireAdvert[] = [];
  for (const line of text.split('\n')) {
    const m = ADVERT.exec(line);
    const node = m ? nodeByAddress[m[2]!] : undefined;
    if (!m || !node) continue;
    out.push({ t: Math.round(Number(m[1]) * 1000), node, vrid: Number(m[3]), priority: Number(m[4]) });
  }
  return out;
}

/** Settle bound: the longest two holders may overlap, and the longest the wire may have none. */
export function settleBound(b: Bounds): number {
  return b.masterDownMs + 1000 + b.loadMarginMs;
}

/** Each node's spells as master on the wire: runs of non-zero adverts no further apart than the settle bound's detection part. */
export function holdingSpells(adverts: readonly WireAdvert[], b: Bounds): { node: string; from: number; to: number }[] {
  const spells: { node: string; from: number; to: number }[] = [];
  const open = new Map<string, { from: number; last: number }>();
  const maxGap = b.masterDownMs + b.loadMarginMs;
  const close = (node: string) => {
    const s = open.get(node);
    if (s) spells.push({ node, from: s.from, to: s.last + b.advertIntervalMs });
    open.delete(node);
  };
  for (const a of [...adverts].sort((x, y) => x.t - y.t)) {
    const s = open.get(a.node);
    if (s && a.t - s.last > maxGap) close(a.node);
    if (a.priority === 0) {
      close(a.node); // a priority-0 advert is the master resigning
      continue;
    }
    const cur = open.get(a.node);
    if (cur) cur.last = a.t;
    else open.set(a.node, { from: a.t, last: a.t });
  }
  for (const node of [...open.keys()]) close(node);
  return spells.sort((x, y) => x.from - y.from);
}

/** Two nodes mastering at once (on the wire) for longer than the settle bound. */
export function checkTwoHolders(adverts: readonly WireAdvert[], b: Bounds): Violation[] {
  const spells = holdingSpells(adverts, b);
  const out: Violation[] = [];
  for (let i = 0; i < spells.length; i++) {
    for (let j = i + 1; j < spells.length && spells[j]!.from < spells[i]!.to; j++) {
      const [x, y] = [spells[i]!, spells[j]!];
      if (x.node === y.node) continue;
      const overlap = Math.min(x.to, y.to) - y.from;
      if (overlap > settleBound(b))
        out.push({
          invariant: 'two-holders',
          at: y.from,
          durationMs: overlap,
          detail: `${x.node} and ${y.node} both advertised as master for ${overlap} ms (bound ${settleBound(b)} ms)`,
        });
    }
  }
  return out;
}

/**
 * No master on the wire for longer than the settle bound, between `from` and `to`, except inside
 * `unholdable` spans (no node could hold the VIP then).
 */
export function checkHolderGaps(
  adverts: readonly WireAdvert[],
  b: Bounds,
  span: { from: number; to: number },
  unholdable: readonly { from: number; to: number }[] = [],
): Violation[] {
  const times = adverts.filter((a) => a.priority > 0 && a.t >= span.from && a.t <= span.to).map((a) => a.t);
  times.sort((x, y) => x - y);
  const edges = [span.from, ...times, span.to];
  const out: Violation[] = [];
  for (let i = 1; i < edges.length; i++) {
    const [a, z] = [edges[i - 1]!, edges[i]!];
    const gap = z - a;
    if (gap <= settleBound(b)) continue;
    if (unholdable.some((u) => u.from <= a + settleBound(b) && u.to >= z - settleBound(b))) continue;
    out.push({
      invariant: 'no-holder',
      at: a,
      durationMs: gap,
      detail: `no master advertised for ${gap} ms (bound ${settleBound(b)} ms)`,
    });
  }
  return out;
}

/** The node whose non-zero adverts the wire carried last before `t` (within the detection window), or null if none or ambiguous. */
export function wireHolderAt(adverts: readonly WireAdvert[], t: number, b: Bounds): string | null {
  const window = b.masterDownMs + b.loadMarginMs;
  const recent = adverts.filter((a) => a.t <= t && a.t > t - window);
  const last = new Map<string, WireAdvert>();
  for (const a of recent) if ((last.get(a.node)?.t ?? -Infinity) <= a.t) last.set(a.node, a);
  const live = [...last.values()].filter((a) => a.priority > 0);
  return live.length === 1 ? live[0]!.node : null;
}

/** Quiet spans: from each fault's end (and the soak's start) to the next fault's start. */
export function quietSpans(faults: readonly InjectedFault[], span: { from: number; to: number }) {
  const sorted = [...faults].sort((x, y) => x.start - y.start);
  const out: { from: number; to: number }[] = [];
  let from = span.from;
  for (const f of sorted) {
    if (f.start > from) out.push({ from, to: f.start });
    from = Math.max(from, f.end);
  }
  if (span.to > from) out.push({ from, to: span.to });
  return out;
}

/** The dashboard's master differs from the wire's after the quiet span's first `dashboardSettleMs` (+ margin). */
export function checkDashboard(
  samples: readonly DashboardSample[],
  adverts: readonly WireAdvert[],
  quiet: readonly { from: number; to: number }[],
  b: Bounds,
): Violation[] {
  const settle = (b.dashboardSettleMs ?? 2000) + b.loadMarginMs;
  const out: Violation[] = [];
  for (const q of quiet) {
    let open: Violation | null = null;
    for (const s of samples) {
      if (s.t < q.from + settle || s.t > q.to) continue;
      const wire = wireHolderAt(adverts, s.t, b);
      if (wire === null || wire === s.master) {
        open = null;
        continue;
      }
      if (open) open.durationMs = s.t - open.at;
      else {
        open = {
          invariant: 'dashboard-holder',
          at: s.t,
          durationMs: 0,
          detail: `dashboard shows ${s.master ?? 'no master'}, the wire ${wire} (${s.t - q.from} ms into a quiet span)`,
        };
        out.push(open);
      }
    }
  }
  return out;
}

/** The probe through the VIP still failing when the quiet span after a fault ends (service never came back). */
export function checkServed(
  probe: readonly ProbeSample[],
  quiet: readonly { from: number; to: number }[],
): Violation[] {
  const out: Violation[] = [];
  for (const q of quiet) {
    const inSpan = probe.filter((p) => p.t >= q.from && p.t <= q.to);
    const tail = inSpan.slice(-3);
    if (tail.length === 3 && tail.every((p) => !p.ok))
      out.push({
        invariant: 'not-served',
        at: q.from,
        durationMs: q.to - q.from,
        detail: `requests through the VIP still failed ${q.to - q.from} ms after the fault ended`,
      });
  }
  return out;
}

/**
 * Every invariant over one soak, in time order: never two holders on the wire, never none for longer
 * than the bounds allow (faults aside), the dashboard agreeing with the wire and the VIP served
 * again in each quiet span between the `faults`.
 */
export function checkInvariants(
  o: {
    adverts: readonly WireAdvert[];
    dashboard: readonly DashboardSample[];
    probe: readonly ProbeSample[];
    faults: readonly InjectedFault[];
    span: { from: number; to: number };
  },
  b: Bounds,
): Violation[] {
  const quiet = quietSpans(o.faults, o.span);
  return [
    ...checkTwoHolders(o.adverts, b),
    ...checkHolderGaps(o.adverts, b, o.span),
    ...checkDashboard(o.dashboard, o.adverts, quiet, b),
    ...checkServed(o.probe, quiet),
  ].sort((x, y) => x.at - y.at);
}

export type FaultFigures = {
  fault: InjectedFault;
  failedRequests: number;
  /** From the fault's end until the first success after the last failure before the next fault (0: none failed after it). */
  recoveryMs: number;
  /** The longest run of failed requests in the fault's window (first failed send to next success). */
  outageMs: number;
};

/** Per fault: failed requests and recovery, over the fault plus its quiet span. */
export function faultFigures(faults: readonly InjectedFault[], probe: readonly ProbeSample[], endAt: number) {
  const sorted = [...faults].sort((x, y) => x.start - y.start);
  return sorted.map((fault, i): FaultFigures => {
    const until = sorted[i + 1]?.start ?? endAt;
    const win = probe.filter((p) => p.t >= fault.start && p.t < until);
    let outageMs = 0;
    let streak: number | null = null;
    let lastRecovery: number | null = null;
    for (const p of win) {
      if (!p.ok && streak === null) streak = p.t;
      if (p.ok && streak !== null) {
        outageMs = Math.max(outageMs, p.t - streak);
        lastRecovery = p.t;
        streak = null;
      }
    }
    if (streak !== null) outageMs = Math.max(outageMs, until - streak);
    const recoveryMs = streak !== null ? until - fault.end : Math.max(0, (lastRecovery ?? fault.end) - fault.end);
    return { fault, failedRequests: win.filter((p) => !p.ok).length, recoveryMs, outageMs };
  });
}
