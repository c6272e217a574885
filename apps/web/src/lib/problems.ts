/**
 * The problem rules (split brain, no holder, failed deploy, old revision, offline, maintenance,
 * nginx config drift): one home for the overview and the cluster page, pure and free of server
 * imports. The dashboard computes them when it reads (services/overview.ts) and the pages compute
 * them again every second against their own clock, so a node whose reports stopped turns stale on
 * screen without any event telling the page (a SIGKILLed agent sends nothing; its last stored
 * heartbeat still says "master").
 *
 * Times: `lastSeenAt` and `readAt` are the dashboard's clock; a heartbeat's `since` is the agent's.
 */
import type { VrrpState } from '@keepwatch/shared';

/** One VRRP instance of the cluster's config. */
export interface OverviewInstance {
  name: string;
  vrid: number;
  vips: string[];
}

/** What an online node last reported about one instance. */
export interface OverviewNodeInstance {
  instance: string;
  vrid: number;
  state: VrrpState;
  effectivePriority: number;
  /** When the node entered `state` (agent clock, epoch ms). */
  since: number;
}

export interface OverviewNode {
  nodeId: string;
  name: string;
  enrolled: boolean;
  maintenance: boolean;
  /** When the hub last heard from the agent (dashboard clock, epoch ms); null when never. */
  lastSeenAt: number | null;
  /** After this long without a frame the node is offline (stale). */
  staleAfterMs: number;
  appliedRevision: number | null;
  /** The instances of the last stored heartbeat; empty when none. */
  instances: OverviewNodeInstance[];
  /** The last heartbeat said the rendered nginx file is not what the agent wrote (a hand edit). */
  nginxDrifted?: boolean;
}

/** A node's newest deployment (by revision number). */
export interface OverviewDeployment {
  nodeId: string;
  node: string;
  revision: number;
  status: 'pending' | 'applied' | 'failed';
  stage: string | null;
  message: string | null;
  /** When the deployment last changed (dashboard clock, epoch ms). */
  at: number;
}

export interface OverviewCluster {
  id: string;
  name: string;
  /** The newest revision number (0: none yet) and when it was made (dashboard clock). */
  revision: number;
  revisionAt: number | null;
  instances: OverviewInstance[];
  nodes: OverviewNode[];
  deployments: OverviewDeployment[];
  /** ACME certificates whose last order failed, with the CA's words (issue #17 item 2). */
  certificateErrors?: { name: string; error: string }[];
}

export type ProblemKind =
  | 'split-brain'
  | 'failed-deploy'
  | 'old-revision'
  | 'offline'
  | 'no-holder'
  | 'maintenance'
  | 'drifted'
  | 'certificate';
export type ProblemSeverity = 'critical' | 'warning' | 'info';

export interface Problem {
  kind: ProblemKind;
  severity: ProblemSeverity;
  /** One line an operator reads at 3 a.m.: what, where. */
  message: string;
  node?: string;
  instance?: string;
}

/**
 * After a new revision is made, nodes get this long to apply it before "old revision" is a problem:
 * the rollout pushes to backups first and a reload takes a moment.
 */
export const REVISION_GRACE_MS = 30_000;

export function isNodeOnline(n: OverviewNode, now: number): boolean {
  return n.lastSeenAt !== null && now - n.lastSeenAt <= n.staleAfterMs;
}

/** What a node is shown as for one instance. `superseded`: it said master, but another node became master after it was last heard. */
export type NodeInstanceView =
  { kind: 'offline' } | { kind: 'unknown' } | { kind: 'state'; state: VrrpState; since: number; superseded: boolean };

export interface InstanceView {
  instance: OverviewInstance;
  /** Online nodes whose master claim is current: one = the holder; more = split brain. */
  masters: { node: string; since: number }[];
  /** Per node (by name). */
  nodes: Map<string, NodeInstanceView>;
}

/**
 * Who holds each instance now. Only online nodes count. Of several nodes saying master, the one
 * that became master last holds it; an older master claim is superseded when that node was last
 * heard before the newer master took over (it died or lost contact while master: its stored
 * heartbeat is from before), and is a split brain when it is still heard after — real VRRP peers
 * that hear each other resolve two masters within an advert or two, so both still reporting
 * master after the takeover means they do not. Comparing the dashboard's receive time with the
 * agent's `since` assumes clocks agree within a heartbeat; a larger skew only delays the verdict.
 */
export function instanceViews(c: OverviewCluster, now: number): InstanceView[] {
  return c.instances.map((inst) => {
    const nodes = new Map<string, NodeInstanceView>();
    const claims: { node: OverviewNode; since: number }[] = [];
    for (const n of c.nodes) {
      if (!isNodeOnline(n, now)) {
        nodes.set(n.name, { kind: 'offline' });
        continue;
      }
      const s =
        n.instances.find((i) => i.vrid === inst.vrid && i.instance === inst.name) ??
        n.instances.find((i) => i.vrid === inst.vrid);
      if (!s) {
        nodes.set(n.name, { kind: 'unknown' });
        continue;
      }
      nodes.set(n.name, { kind: 'state', state: s.state, since: s.since, superseded: false });
      if (s.state === 'master') claims.push({ node: n, since: s.since });
    }
    claims.sort((a, b) => b.since - a.since);
    const newest = claims[0];
    const masters: { node: string; since: number }[] = [];
    for (const cl of claims) {
      const current = cl === newest || (cl.node.lastSeenAt ?? 0) > (newest?.since ?? 0);
      if (current) masters.push({ node: cl.node.name, since: cl.since });
      else nodes.set(cl.node.name, { kind: 'state', state: 'master', since: cl.since, superseded: true });
    }
    return { instance: inst, masters, nodes };
  });
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

const SEVERITY_ORDER: Record<ProblemSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Every problem of a cluster at `now` (dashboard clock), most severe first. */
export function overviewProblems(c: OverviewCluster, now: number): Problem[] {
  const out: Problem[] = [];
  for (const v of instanceViews(c, now)) {
    const vips = v.instance.vips.join(', ') || 'no VIPs';
    if (v.masters.length > 1) {
      out.push({
        kind: 'split-brain',
        severity: 'critical',
        instance: v.instance.name,
        message: `Split brain on ${v.instance.name} (VRID ${v.instance.vrid}, ${vips}): ${v.masters.map((m) => m.node).join(' and ')} all report master`,
      });
    } else if (v.masters.length === 0 && c.nodes.length > 0) {
      out.push({
        kind: 'no-holder',
        severity: 'warning',
        instance: v.instance.name,
        message: `No node reports holding ${v.instance.name} (VRID ${v.instance.vrid}, ${vips})`,
      });
    }
  }
  const failedNodes = new Set<string>();
  for (const d of c.deployments) {
    if (d.status !== 'failed') continue;
    failedNodes.add(d.nodeId);
    const why = [
      d.stage ? `at ${d.stage}` : null,
      d.message ? `: ${d.message.length > 200 ? `${d.message.slice(0, 200)}…` : d.message}` : null,
    ]
      .filter(Boolean)
      .join('');
    out.push({
      kind: 'failed-deploy',
      severity: 'critical',
      node: d.node,
      message: `Deploy of revision ${d.revision} failed on ${d.node}${why ? ` ${why}` : ''}`,
    });
  }
  const revisionSettled = c.revisionAt !== null && now - c.revisionAt >= REVISION_GRACE_MS;
  for (const n of c.nodes) {
    const online = isNodeOnline(n, now);
    if (!online) {
      const heard =
        n.lastSeenAt === null
          ? n.enrolled
            ? 'never reported'
            : 'not enrolled yet'
          : `last heard ${ago(now - n.lastSeenAt)}`;
      out.push({ kind: 'offline', severity: 'warning', node: n.name, message: `${n.name} is offline (${heard})` });
    } else if (
      c.revision > 0 &&
      (n.appliedRevision ?? 0) < c.revision &&
      revisionSettled &&
      !failedNodes.has(n.nodeId)
    ) {
      out.push({
        kind: 'old-revision',
        severity: 'warning',
        node: n.name,
        message: `${n.name} runs revision ${n.appliedRevision ?? 'none'}; the newest is ${c.revision}`,
      });
    }
    if (online && n.nginxDrifted)
      out.push({
        kind: 'drifted',
        severity: 'warning',
        node: n.name,
        message: `${n.name}: its nginx config was edited by hand (drifted); the next apply puts the rendered one back`,
      });
    if (n.maintenance)
      out.push({ kind: 'maintenance', severity: 'info', node: n.name, message: `${n.name} is in maintenance` });
  }
  for (const e of c.certificateErrors ?? [])
    out.push({
      kind: 'certificate',
      severity: 'warning',
      message: `certificate ${e.name}: the last ACME order failed (retried later): ${e.error}`,
    });
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
