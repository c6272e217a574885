/**
 * The VIP ownership timeline's data shaping (pure): from the stored VRRP transitions of a window
 * and each node's state when the window starts, per instance one lane per member node (its state
 * over time) and the periods of who held the VIP (the nodes in master; none; or more than one =
 * possible split brain). The chart (components/cluster/vip-timeline.tsx) only draws this.
 */
import type { VrrpState } from '@keepwatch/shared';

export interface TimelineTransition {
  node: string;
  instance: string;
  from: VrrpState;
  to: VrrpState;
  reason: string;
  priority: number;
  /** The agent's own time of the transition. */
  at: Date;
}

/** A lane's state: a VRRP state, `unknown` before the first report, `stale` after the reports stopped. */
export type LaneState = 'initialize' | 'backup' | 'master' | 'fault' | 'unknown' | 'stale' | (string & {});

export interface Segment {
  state: LaneState;
  /** Epoch ms, inside the window. */
  start: number;
  end: number;
  /** Why the node entered this state (the transition's reason); null when it started before the window or is unknown/stale. */
  reason: string | null;
}

export interface Lane {
  node: string;
  segments: Segment[];
}

/** One transition inside the window, for markers with their reason. */
export interface Mark {
  node: string;
  at: number;
  from: VrrpState;
  to: VrrpState;
  reason: string;
  priority: number;
}

export interface HolderPeriod {
  /** The nodes in master over this period: none, one (the holder) or several (split brain). */
  holders: string[];
  /** No node had reported (or every report was stale): who held it is not known. */
  unknown: boolean;
  start: number;
  end: number;
}

export interface InstanceTimeline {
  instance: string;
  lanes: Lane[];
  holders: HolderPeriod[];
  marks: Mark[];
}

export interface TimelineInput {
  since: Date;
  until: Date;
  instances: { name: string; members: string[] }[];
  /** Per node and instance, the last transition before `since`. */
  initial: readonly TimelineTransition[];
  /** The transitions inside the window. */
  transitions: readonly TimelineTransition[];
  /**
   * When each node was last heard (epoch ms; null or absent when unknown) and after how long
   * silence its state is stale: a lane turns `stale` from `lastSeen + staleAfterMs`, so a node
   * whose reports stopped is never drawn holding the VIP up to now.
   */
  lastSeen?: Record<string, number | null>;
  staleAfterMs?: number;
}

function laneFor(
  node: string,
  instance: string,
  input: TimelineInput,
  from: number,
  to: number,
): { lane: Lane; marks: Mark[] } {
  const before = input.initial
    .filter((t) => t.node === node && t.instance === instance)
    .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  const inside = input.transitions
    .filter((t) => t.node === node && t.instance === instance && t.at.getTime() >= from && t.at.getTime() <= to)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const segments: Segment[] = [];
  const push = (state: LaneState, start: number, reason: string | null) => {
    const last = segments[segments.length - 1];
    if (last && last.state === state) return;
    if (last) last.end = start;
    if (last && last.end <= last.start) segments.pop();
    segments.push({ state, start, end: to, reason });
  };
  push(before ? before.to : 'unknown', from, null);
  for (const t of inside) push(t.to, t.at.getTime(), t.reason);
  const seen = input.lastSeen?.[node];
  if (seen != null && input.staleAfterMs !== undefined) {
    const staleAt = Math.max(from, seen + input.staleAfterMs);
    if (staleAt < to) {
      // Cut at staleAt: everything after it is unknown, whatever was last reported.
      const kept = segments.filter((s) => s.start < staleAt);
      const last = kept[kept.length - 1];
      if (last) last.end = staleAt;
      kept.push({ state: 'stale', start: staleAt, end: to, reason: null });
      segments.splice(0, segments.length, ...kept);
    }
  }
  const marks = inside.map((t) => ({
    node,
    at: t.at.getTime(),
    from: t.from,
    to: t.to,
    reason: t.reason,
    priority: t.priority,
  }));
  return { lane: { node, segments }, marks };
}

function holderPeriods(lanes: Lane[], from: number, to: number): HolderPeriod[] {
  const points = [...new Set([from, ...lanes.flatMap((l) => l.segments.map((s) => s.start)), to])].sort(
    (a, b) => a - b,
  );
  const out: HolderPeriod[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const at = (l: Lane) => l.segments.find((s) => s.start <= start && s.end > start);
    const holders = lanes.filter((l) => at(l)?.state === 'master').map((l) => l.node);
    const unknown = lanes.every((l) => ['unknown', 'stale', undefined].includes(at(l)?.state));
    const last = out[out.length - 1];
    if (last && last.holders.join('\0') === holders.join('\0') && last.unknown === unknown) last.end = end;
    else out.push({ holders, unknown, start, end });
  }
  return out;
}

/** Lanes, holder periods and markers per instance for the window [since, until]. */
export function buildTimeline(input: TimelineInput): InstanceTimeline[] {
  const from = input.since.getTime();
  const to = Math.max(from, input.until.getTime());
  return input.instances.map(({ name, members }) => {
    const built = members.map((m) => laneFor(m, name, input, from, to));
    const lanes = built.map((b) => b.lane);
    const marks = built.flatMap((b) => b.marks).sort((a, b) => a.at - b.at);
    return { instance: name, lanes, holders: holderPeriods(lanes, from, to), marks };
  });
}

/** The x position (0…width) of time `t` in the window. */
export function xOf(t: number, since: number, until: number, width: number): number {
  if (until <= since) return 0;
  return ((Math.min(Math.max(t, since), until) - since) / (until - since)) * width;
}

/** "lb1", "nobody", "no reports", "lb1 and lb2 (split brain)". */
export function holdersText(holders: readonly string[], unknown = false): string {
  if (holders.length === 0) return unknown ? 'no reports' : 'nobody';
  if (holders.length === 1) return holders[0]!;
  return `${holders.slice(0, -1).join(', ')} and ${holders[holders.length - 1]} (split brain)`;
}
