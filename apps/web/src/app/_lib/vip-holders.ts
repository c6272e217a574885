/**
 * What the stored transition history says about each VRRP instance: per node the last state it
 * reported, and which node(s) last reported becoming master. A transition is an event, not a
 * heartbeat, so this is "last reported", never "holds now": the UI shows every report with its
 * age. Who holds a VIP now and split brain come from live state (src/lib/problems.ts).
 */
import type { VrrpState } from '@keepwatch/shared';

export interface Transition {
  node: string;
  instance: string;
  from: VrrpState;
  to: VrrpState;
  reason: string | null;
  priority: number | null;
  /** The agent's own time of the transition. */
  at: Date;
}

export interface NodeReport {
  node: string;
  state: VrrpState;
  reason: string | null;
  priority: number | null;
  at: Date;
}

export interface InstanceReports {
  /** The last report of each node that reported for this instance. */
  byNode: Map<string, NodeReport>;
  /** Nodes whose last report is master, newest first. More than one = possible split brain. */
  masters: NodeReport[];
}

export function instanceReports(transitions: readonly Transition[], instance: string): InstanceReports {
  const byNode = new Map<string, NodeReport>();
  for (const t of transitions) {
    if (t.instance !== instance) continue;
    const seen = byNode.get(t.node);
    if (!seen || t.at.getTime() > seen.at.getTime())
      byNode.set(t.node, { node: t.node, state: t.to, reason: t.reason, priority: t.priority, at: t.at });
  }
  const masters = [...byNode.values()]
    .filter((r) => r.state === 'master')
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  return { byNode, masters };
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ageText(at: Date, now: number): string {
  const s = Math.max(0, Math.round((now - at.getTime()) / 1000));
  if (s < 2) return 'just now';
  if (s < 120) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}
