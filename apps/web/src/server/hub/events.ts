/**
 * What the hub does with an authenticated agent's events: heartbeats update the session's live
 * state (and may re-plan the rollout and the failover commands); apply results, transitions,
 * check and command results are stored through the services and acked by `seq`. An event that
 * cannot be stored now is not acked (the agent replays it); one that never can is refused.
 */
import { errorMessage, PROTOCOL_VERSION, type AgentMessage, type HeartbeatMessage } from '@keepwatch/shared';
import type { EventBus } from '../bus/events';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { storeApplyResult, storeTransition } from '../services/agent-events';
import type { Db } from '../services/types';
import type { CommandDispatcher } from './commands';
import { heartbeatKey, type LiveStateWriter } from './live-state-writer';
import { replacedHandEdit, storeHandEditReplaced } from './nginx-drift';
import type { RolloutDriver } from './rollout-driver';
import { send, type Session, type SessionNode } from './session';

export interface EventContext {
  db: Db;
  log: Logger;
  live: LiveStateWriter;
  commands: CommandDispatcher;
  rollout: RolloutDriver;
  /** Highest seq stored per node. */
  acked: Map<string, number>;
  publish: (e: Parameters<EventBus['publish']>[0]) => Promise<void>;
  reconcileCluster: (clusterId: string) => Promise<void>;
}

type Stored = Extract<AgentMessage, { type: 'apply-result' | 'state-transition' | 'check-result' | 'command-result' }>;

export function handleEvent(ctx: EventContext, s: Session, node: SessionNode, m: AgentMessage): Promise<void> {
  switch (m.type) {
    case 'heartbeat':
      return onHeartbeat(ctx, s, node, m);
    case 'apply-result':
    case 'state-transition':
    case 'check-result':
    case 'command-result':
      return onStored(ctx, s, node, m);
    default:
      return Promise.resolve();
  }
}

/** Stores the event, then acks it (or says why not). */
async function onStored(ctx: EventContext, s: Session, node: SessionNode, m: Stored): Promise<void> {
  try {
    await store(ctx, s, node, m);
  } catch (err) {
    if (!(err instanceof AppError)) {
      // Not acked: the agent keeps the event and replays it after reconnecting.
      ctx.log.error({ err, node: node.name, seq: m.seq, type: m.type }, 'agent event not stored');
      send(s, errorMessage('internal', `${m.type} ${m.seq} not stored; it will be replayed`, String(m.seq)));
      return;
    }
    // The event can never be stored (e.g. an unknown revision): refuse it and let it go.
    ctx.log.warn({ node: node.name, seq: m.seq, type: m.type, err: err.message }, 'agent event refused');
    send(s, errorMessage('invalid-message', err.message, String(m.seq)));
  }
  ctx.acked.set(node.id, Math.max(ctx.acked.get(node.id) ?? 0, m.seq));
  send(s, { v: PROTOCOL_VERSION, type: 'ack', seq: m.seq });
  if (m.type === 'apply-result' || m.type === 'check-result') await ctx.rollout.cluster(node.clusterId);
}

/**
 * The agent sends `nginx.build` in a session's first heartbeat and when it changes (capability
 * `nginx-build`), not in each one: the later ones keep the session's, so the stored live state
 * always has it.
 */
function keepNginxBuild(prev: HeartbeatMessage | null, m: HeartbeatMessage): HeartbeatMessage {
  const build = prev?.nginx.build;
  return m.nginx.build || !build ? m : { ...m, nginx: { ...m.nginx, build } };
}

async function onHeartbeat(ctx: EventContext, s: Session, node: SessionNode, sent: HeartbeatMessage): Promise<void> {
  const m = keepNginxBuild(s.heartbeat, sent);
  // The first heartbeat of a session (a new or reconnected agent) and every heartbeat of a
  // cluster not yet as desired: plan failover commands again.
  const plan = s.heartbeat === null || ctx.commands.unconverged.has(node.clusterId);
  // Only a heartbeat that can change the rollout's plan (new content, or the first one after an
  // apply, which makes the node count as healthy-after-apply) plans it now; the others wait for
  // the 1 s poll — 1000 agents heartbeating must not cost 2000 queries/s.
  const key = heartbeatKey(m);
  const replan = s.heartbeat === null || s.heartbeat.at < s.appliedAt || s.heartbeatKey !== key;
  s.heartbeat = m;
  s.heartbeatKey = key;
  if (plan) void ctx.reconcileCluster(node.clusterId);
  ctx.live.heartbeat(node, m, key);
  if (m.appliedRevision !== s.appliedRevision) {
    s.appliedRevision = m.appliedRevision;
    s.appliedAt = m.at;
  }
  if (replan || s.appliedAt === m.at) await ctx.rollout.cluster(node.clusterId);
}

async function store(ctx: EventContext, s: Session, node: SessionNode, m: Stored): Promise<void> {
  switch (m.type) {
    case 'apply-result':
      if (replacedHandEdit(m)) await storeHandEditReplaced(ctx.db, node, m);
      else await storeApplyResult(ctx.db, node, m);
      ctx.rollout.observeApply(node.id, m.revision, m.outcome);
      void ctx.publish({ type: 'deployment', clusterId: node.clusterId, revision: m.revision, nodeId: node.id });
      if (m.outcome === 'applied') {
        s.appliedRevision = m.revision;
        s.appliedAt = m.at;
      } else {
        const fields = { node: node.name, revision: m.revision, stage: m.stage, message: m.message };
        ctx.log.warn(fields, 'agent apply failed');
      }
      return;
    case 'state-transition': {
      const isNew = await storeTransition(ctx.db, node, m);
      // The live role changes now, not at the next heartbeat (the rollout reads it).
      if (s.heartbeat && m.at >= s.heartbeat.at) {
        s.heartbeat = {
          ...s.heartbeat,
          instances: s.heartbeat.instances.map((i) =>
            i.instance === m.instance ? { ...i, state: m.to, since: m.at } : i,
          ),
        };
        s.heartbeatKey = heartbeatKey(s.heartbeat);
        ctx.live.heartbeat(node, s.heartbeat, s.heartbeatKey);
      }
      if (isNew) {
        // Store the patched live state first, so a page that refreshes on this event reads the new role.
        await ctx.live.flush();
        const e = { clusterId: node.clusterId, nodeId: node.id, instance: m.instance, to: m.to };
        void ctx.publish({ type: 'transition', ...e });
      }
      await ctx.commands.onTransition(node.id, m);
      void ctx.publish({ type: 'command', clusterId: node.clusterId });
      return;
    }
    case 'check-result':
      s.checks.set(m.check, m);
      ctx.live.checkResult(node, m);
      return;
    case 'command-result':
      ctx.log.info({ node: node.name, id: m.id, outcome: m.outcome, reason: m.reason }, 'command result');
      await ctx.commands.onResult(node.id, m, s.heartbeat);
      void ctx.publish({ type: 'command', clusterId: node.clusterId });
      return;
  }
}
