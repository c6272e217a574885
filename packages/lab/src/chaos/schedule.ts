/**
 * The chaos soak's fault schedule as a pure function of a seed: the same seed, duration and fault
 * kinds give the same schedule, so a violation found at a time replays with its seed.
 */

/** A seeded PRNG (mulberry32: 32-bit state, enough for a schedule): uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAULT_KINDS = [
  'link-down',
  'partition',
  'agent-kill',
  'agent-kill-restart',
  'nginx-kill',
  'nginx-unstartable',
  'dashboard-restart',
  'postgres-restart',
  'edit',
  'promote',
  'maintenance',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The dashboard edits the soak makes; each is undone when its fault ends. */
export const EDIT_KINDS = ['check-interval', 'check-command', 'vip-add', 'priority'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

export type FaultParams = {
  /** The node the fault hits (node-scoped kinds, promote, maintenance, a priority edit). */
  node?: string;
  edit?: EditKind;
  /** A priority edit's new priority for `node`. */
  priority?: number;
};

export type ScheduledFault = {
  /** ms from the soak's start. */
  at: number;
  fault: FaultKind;
  params: FaultParams;
  /** How long the fault holds before it is undone, ms (0: undone at once, e.g. a restart). */
  duration: number;
};

export type ScheduleOptions = {
  seed: number;
  durationMs: number;
  kinds?: readonly FaultKind[];
  nodes: readonly string[];
  /** Quiet time after each fault ends, ms, drawn in [min, max] (default 3000–6000). */
  quietMs?: readonly [number, number];
  /** Quiet time before the first fault, ms (default 3000). */
  leadInMs?: number;
};

/** How long each kind holds, ms, [min, max]. */
const HOLD: Record<FaultKind, readonly [number, number]> = {
  'link-down': [1500, 5000],
  partition: [1500, 5000],
  'agent-kill': [1500, 6000],
  'agent-kill-restart': [0, 0],
  'nginx-kill': [0, 0],
  'nginx-unstartable': [2000, 6000],
  'dashboard-restart': [500, 4000],
  'postgres-restart': [0, 0],
  edit: [1500, 4000],
  promote: [2000, 5000],
  maintenance: [2000, 5000],
};

/**
 * The schedule: faults one after another (never two at once, so some node can always hold the VIP),
 * each followed by a quiet time, all starting before `durationMs` minus the longest fault and quiet.
 * Faults take the schedule's time plus however long injecting them takes; the runner shifts.
 */
export function planFaults(opts: ScheduleOptions): ScheduledFault[] {
  const rand = mulberry32(opts.seed);
  const kinds = opts.kinds ?? FAULT_KINDS;
  if (kinds.length === 0 || opts.nodes.length === 0) return [];
  const [qMin, qMax] = opts.quietMs ?? [3000, 6000];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const out: ScheduledFault[] = [];
  let at = opts.leadInMs ?? 3000;
  for (let i = 0; i < 100_000; i++) {
    const fault = pick(kinds);
    const [hMin, hMax] = HOLD[fault];
    const duration = between(hMin, hMax);
    if (at + duration + qMin > opts.durationMs) break;
    out.push({ at, fault, params: paramsFor(fault, opts.nodes, pick), duration });
    at += duration + between(qMin, qMax);
  }
  return out;
}

function paramsFor(fault: FaultKind, nodes: readonly string[], pick: <T>(xs: readonly T[]) => T): FaultParams {
  switch (fault) {
    case 'dashboard-restart':
    case 'postgres-restart':
      return {};
    case 'edit': {
      const edit = pick(EDIT_KINDS);
      // Priorities stay in 1..254 and distinct from the others' (100, 80, 60) so the order is defined.
      return edit === 'priority' ? { edit, node: pick(nodes), priority: pick([50, 70, 90, 110, 120]) } : { edit };
    }
    default:
      return { node: pick(nodes) };
  }
}

/** One line per fault, for the report and for replaying by hand. */
export function describeFault(f: ScheduledFault): string {
  const p = Object.entries(f.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `t=${(f.at / 1000).toFixed(1)}s ${f.fault}${p ? ` ${p}` : ''} for ${f.duration} ms`;
}
