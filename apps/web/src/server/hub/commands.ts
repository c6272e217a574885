/**
 * Failover commands, level-triggered: the desired state lives in the database (a standing
 * promote per instance, `VrrpInstance.promotedNodeId`; maintenance per node, `Node.maintenance`)
 * and each connected agent reports what is in force in its heartbeats (`override`,
 * `maintenance`). `planCommands` (pure) compares the two and says which `command`s to send;
 * `CommandDispatcher` sends them with their `FailoverCommand` rows, follows the agents' answers
 * (`command-result` → accepted/refused; the promoted instance turning master → completed) and
 * plans again until they agree. A dropped frame, a restarted agent or a dashboard restart
 * therefore converge by themselves: nothing depends on one message arriving.
 *
 * Moving a standing promote from node A to node B is release-then-promote: the VRRP machine
 * refuses a promote while it hears another router at 254 (`peer-priority`), and two routers at 254
 * would fall back to the address tie-break. So B's promote is held until A's heartbeat no longer
 * shows the promote; A keeps the VIP meanwhile (a released master keeps it until the usual rules
 * move it), and B, promoted, takes it make-before-break. If B still heard A's last 254 advert
 * within its Master_Down_Interval it refuses with `peer-priority`, and the retry (after a short
 * backoff) succeeds.
 */
import type {
  Command,
  CommandResultMessage,
  HeartbeatMessage,
  HubMessage,
  StateTransitionMessage,
} from '@keepwatch/shared';
import { PROTOCOL_VERSION } from '@keepwatch/shared';
import type { Logger } from '../logger';
import type { Db } from '../services/types';

/** The `FailoverCommand.kind` of a command. */
export type CommandKind = 'promote' | 'release' | 'maintenance-on' | 'maintenance-off';

export function commandKind(c: Command): CommandKind {
  return c.kind === 'maintenance' ? (c.enabled ? 'maintenance-on' : 'maintenance-off') : c.kind;
}

/** The command a row describes (rows store kind + instance). */
export function commandOf(kind: string, instance: string | null): Command | null {
  if (kind === 'maintenance-on' || kind === 'maintenance-off')
    return { kind: 'maintenance', enabled: kind === 'maintenance-on' };
  if ((kind === 'promote' || kind === 'release') && instance) return { kind, instance };
  return null;
}

/** Identifies one command for one node: `nodeId|kind|instance`. */
export function commandKey(nodeId: string, c: Command): string {
  return `${nodeId}|${commandKind(c)}|${c.kind === 'maintenance' ? '' : c.instance}`;
}

/** An instance as the desired state has it. */
export interface DesiredInstance {
  name: string;
  /** The node holding a standing promote, or null. */
  promotedNodeId: string | null;
  memberIds: readonly string[];
}

/** A node: what the operator wants (maintenance) and what its agent last reported (connected only). */
export interface PlanNode {
  nodeId: string;
  maintenance: boolean;
  /** The agent's last heartbeat in this session; null when not connected here or not heard yet. */
  heartbeat: Pick<HeartbeatMessage, 'maintenance' | 'instances'> | null;
}

export interface PlannedCommand {
  nodeId: string;
  command: Command;
  key: string;
}

export interface CommandPlan {
  /** To send now, in order: maintenance changes, then releases, then promotes. */
  send: PlannedCommand[];
  /** Needed but waiting for another node first (a promote waiting for the old one's release). */
  held: PlannedCommand[];
}

/**
 * Which commands make the live state (connected nodes' heartbeats) match the desired state.
 * Nodes without a heartbeat are left out: nothing is known of them, and they are planned for when
 * they report (an agent's first heartbeat after hello).
 */
export function planCommands(instances: readonly DesiredInstance[], nodes: readonly PlanNode[]): CommandPlan {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const plan: CommandPlan = { send: [], held: [] };
  const add = (list: PlannedCommand[], nodeId: string, command: Command) =>
    list.push({ nodeId, command, key: commandKey(nodeId, command) });

  for (const n of nodes) {
    if (!n.heartbeat || n.heartbeat.maintenance === n.maintenance) continue;
    add(plan.send, n.nodeId, { kind: 'maintenance', enabled: n.maintenance });
  }
  const promotes: CommandPlan = { send: [], held: [] };
  for (const inst of instances) {
    const promotedOn = (nodeId: string) =>
      byId.get(nodeId)?.heartbeat?.instances.find((i) => i.instance === inst.name)?.override === 'promoted';
    // A promote standing anywhere but on the desired node is released (this covers a release, a
    // move to another node, and a promote left behind by an agent the dashboard lost track of).
    // Not on a node going into maintenance: maintenance clears the promote itself.
    const stale = inst.memberIds.filter(
      (id) => id !== inst.promotedNodeId && promotedOn(id) && !byId.get(id)?.maintenance,
    );
    for (const id of stale) add(plan.send, id, { kind: 'release', instance: inst.name });
    const target = inst.promotedNodeId === null ? undefined : byId.get(inst.promotedNodeId);
    if (!target?.heartbeat || !inst.memberIds.includes(target.nodeId) || promotedOn(target.nodeId)) continue;
    // Maintenance wins over a promote (the machine refuses it); the service clears such promotes.
    if (target.maintenance) continue;
    // Still wanted, but not now: the old node's release first, maintenance off first, or the
    // instance is not running on the target yet (e.g. the agent is applying a revision).
    const blocked =
      stale.length > 0 ||
      target.heartbeat.maintenance ||
      !target.heartbeat.instances.some((i) => i.instance === inst.name);
    add(blocked ? promotes.held : promotes.send, target.nodeId, { kind: 'promote', instance: inst.name });
  }
  plan.send.push(...promotes.send);
  plan.held.push(...promotes.held);
  return plan;
}

/** How long a sent command waits for its effect before it is sent again. */
export const DEF_COMMAND_RESEND_MS = 5000;
/** First retry delay after a refusal; doubles per refusal up to DEF_COMMAND_RETRY_MAX_MS. */
export const DEF_COMMAND_RETRY_MS = 1000;
export const DEF_COMMAND_RETRY_MAX_MS = 30_000;

/**
 * When each planned command may be sent (again): not while one is in flight, and after a refusal
 * with exponential backoff (a `peer-priority` refusal clears within a Master_Down_Interval; a
 * Fault may last). Keys no longer planned are forgotten, so a new desire starts afresh.
 */
export class CommandPacer {
  private readonly keys = new Map<string, { nextAt: number; refusals: number }>();

  due(key: string, now: number): boolean {
    const k = this.keys.get(key);
    return !k || k.nextAt <= now;
  }

  sent(key: string, now: number): void {
    const k = this.keys.get(key);
    this.keys.set(key, { nextAt: now + DEF_COMMAND_RESEND_MS, refusals: k?.refusals ?? 0 });
  }

  refused(key: string, now: number): void {
    const refusals = (this.keys.get(key)?.refusals ?? 0) + 1;
    this.keys.set(key, {
      nextAt: now + Math.min(DEF_COMMAND_RETRY_MS * 2 ** (refusals - 1), DEF_COMMAND_RETRY_MAX_MS),
      refusals,
    });
  }

  /** Forgets every key of the node: its next plan is sent at once. */
  forgetNode(nodeId: string): void {
    for (const key of this.keys.keys()) if (key.split('|')[0] === nodeId) this.keys.delete(key);
  }

  /** Forgets every key of `nodeIds` that is not in `planned`. */
  prune(nodeIds: ReadonlySet<string>, planned: ReadonlySet<string>): void {
    for (const key of this.keys.keys()) if (nodeIds.has(key.split('|')[0]!) && !planned.has(key)) this.keys.delete(key);
  }
}

/** A connected agent as the dispatcher needs it. */
export interface CommandSession {
  nodeId: string;
  node: string;
  heartbeat: HeartbeatMessage | null;
  send(m: HubMessage): void;
}

export interface CommandDispatcherOptions {
  db: Db;
  log: Logger;
  now?: () => number;
}

const OPEN_STATUSES = ['pending', 'sent', 'refused', 'failed'] as const;
const SYSTEM_ACTOR = 'system:reconcile';

/**
 * The imperative side: reads the desired state, plans against the sessions this process holds,
 * sends and records. One dashboard instance touches only its own connected nodes' rows, so two
 * instances on one database do not send the same command twice.
 */
export class CommandDispatcher {
  private readonly pacer = new CommandPacer();
  /** Command id → its key and cluster, to pace on the answer. */
  private readonly inFlight = new Map<string, { key: string; clusterId: string }>();
  /** Clusters whose last plan was not empty: planned again on every tick until they agree. */
  readonly unconverged = new Set<string>();
  private readonly now: () => number;
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly opts: CommandDispatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Plans and sends for one cluster; calls for the same cluster run one after another, each with
   * the sessions (and heartbeats) current when it runs.
   */
  reconcile(clusterId: string, sessions: () => readonly CommandSession[]): Promise<void> {
    const prev = this.running.get(clusterId) ?? Promise.resolve();
    const next = prev.then(() => this.reconcileNow(clusterId, sessions));
    const tail = next.catch(() => {});
    this.running.set(clusterId, tail);
    void tail.then(() => {
      if (this.running.get(clusterId) === tail) this.running.delete(clusterId);
    });
    return next;
  }

  private async reconcileNow(clusterId: string, current: () => readonly CommandSession[]): Promise<void> {
    const { db, log } = this.opts;
    if (current().length === 0) {
      this.unconverged.delete(clusterId);
      return;
    }
    const [instances, nodes] = await Promise.all([
      db.vrrpInstance.findMany({
        where: { clusterId },
        select: { name: true, promotedNodeId: true, members: { select: { nodeId: true } } },
      }),
      db.node.findMany({ where: { clusterId }, select: { id: true, maintenance: true } }),
    ]);
    const bySession = new Map(current().map((s) => [s.nodeId, s]));
    const planNodes: PlanNode[] = nodes
      .filter((n) => bySession.has(n.id))
      .map((n) => ({ nodeId: n.id, maintenance: n.maintenance, heartbeat: bySession.get(n.id)!.heartbeat }));
    const plan = planCommands(
      instances.map((i) => ({
        name: i.name,
        promotedNodeId: i.promotedNodeId,
        memberIds: i.members.map((m) => m.nodeId),
      })),
      planNodes,
    );
    const reported = new Set(planNodes.filter((n) => n.heartbeat).map((n) => n.nodeId));
    const planned = new Set([...plan.send, ...plan.held].map((p) => p.key));
    this.pacer.prune(reported, planned);
    if (planned.size) this.unconverged.add(clusterId);
    else this.unconverged.delete(clusterId);

    // Rows waiting for a node that reports, whose command is no longer needed: already in effect.
    if (reported.size) {
      const open = await db.failoverCommand.findMany({
        where: { clusterId, nodeId: { in: [...reported] }, status: { in: ['pending', 'sent'] } },
        select: { id: true, nodeId: true, kind: true, instance: true },
      });
      const done = open.filter((r) => {
        const c = commandOf(r.kind, r.instance);
        return c !== null && !planned.has(commandKey(r.nodeId, c)) && !this.inFlight.has(r.id);
      });
      if (done.length)
        await db.failoverCommand.updateMany({
          where: { id: { in: done.map((r) => r.id) }, status: { in: ['pending', 'sent'] } },
          data: { status: 'completed', reason: 'already in effect', finishedAt: new Date(this.now()) },
        });
    }

    const now = this.now();
    for (const p of plan.send) {
      if (!this.pacer.due(p.key, now)) continue;
      const session = bySession.get(p.nodeId)!;
      const kind = commandKind(p.command);
      const instance = p.command.kind === 'maintenance' ? null : p.command.instance;
      // The operator's row when there is one (a retry reuses it); else a row of the reconciler's own.
      const open = await db.failoverCommand.findFirst({
        where: { nodeId: p.nodeId, kind, instance, status: { in: [...OPEN_STATUSES] } },
        orderBy: { createdAt: 'desc' },
        select: { id: true },
      });
      const row = open
        ? await db.failoverCommand.update({
            where: { id: open.id },
            data: { status: 'sent', reason: null, finishedAt: null },
            select: { id: true },
          })
        : await db.failoverCommand.create({
            data: { clusterId, nodeId: p.nodeId, kind, instance, status: 'sent', actor: SYSTEM_ACTOR },
            select: { id: true },
          });
      this.pacer.sent(p.key, now);
      this.inFlight.set(row.id, { key: p.key, clusterId });
      log.info({ node: session.node, id: row.id, command: p.command }, 'command sent');
      session.send({ v: PROTOCOL_VERSION, type: 'command', id: row.id, at: now, command: p.command });
    }
  }

  /**
   * A new session of the node (hello): whatever was sent on the old one may have been lost (a
   * half-open connection swallows frames), so its commands are due again at once.
   */
  newSession(nodeId: string): void {
    this.pacer.forgetNode(nodeId);
  }

  /**
   * An agent's answer: `done` → accepted (a promote whose instance is master already, a release
   * or a maintenance change → completed), `refused`/`failed` → that, with the agent's reason.
   */
  async onResult(nodeId: string, m: CommandResultMessage, heartbeat: HeartbeatMessage | null): Promise<void> {
    const flight = this.inFlight.get(m.id);
    this.inFlight.delete(m.id);
    const row = await this.opts.db.failoverCommand.findFirst({
      where: { id: m.id, nodeId },
      select: { id: true, kind: true, instance: true },
    });
    if (!row) return;
    const at = new Date(m.at);
    if (m.outcome === 'done') {
      const master =
        row.kind === 'promote' &&
        heartbeat?.instances.some((i) => i.instance === row.instance && i.state === 'master') === true;
      const finished = row.kind !== 'promote' || master;
      await this.opts.db.failoverCommand.update({
        where: { id: row.id },
        data: { status: finished ? 'completed' : 'accepted', reason: null, finishedAt: finished ? at : null },
      });
    } else {
      if (flight) this.pacer.refused(flight.key, this.now());
      await this.opts.db.failoverCommand.update({
        where: { id: row.id },
        data: { status: m.outcome === 'refused' ? 'refused' : 'failed', reason: m.reason ?? null, finishedAt: at },
      });
    }
  }

  /** The target of a promote became master of the instance: the promote is complete. */
  async onTransition(nodeId: string, m: StateTransitionMessage): Promise<void> {
    if (m.to !== 'master') return;
    await this.opts.db.failoverCommand.updateMany({
      where: { nodeId, kind: 'promote', instance: m.instance, status: { in: ['sent', 'accepted'] } },
      data: { status: 'completed', finishedAt: new Date(m.at) },
    });
  }
}
