/**
 * The agent hub: the `/agent` WebSocket (a `ws` server in noServer mode; server.ts routes the
 * upgrade here). Per connection: `enroll` (one-time token → per-node credential, only its sha256
 * stored) and/or `hello` (credential) → `welcome`; then the agent's events are stored through the
 * services and acked by `seq`, and the cluster's newest revision is pushed (HA-aware, rollout.ts).
 * Every frame is parsed with `parseAgentFrame`; a bad one is answered with an `error` frame and
 * logged, never thrown (STYLE §D18).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
  encodeFrame,
  errorMessage,
  MAX_FRAME_BYTES,
  parseAgentFrame,
  PROTOCOL_VERSION,
  type AgentMessage,
  type CheckResultMessage,
  type ClusterSpec,
  type HeartbeatMessage,
  type HubMessage,
} from '@keepwatch/shared';
import type { PrismaClient } from '../db/client';
import type { Logger } from '../logger';
import { AppError } from '../errors';
import { sha256 } from '../services/nodes';
import { recordApplyResult, recordTransition, type AgentNode } from '../services/agent-events';
import { planRollout, type RolloutNode } from './rollout';

export const AGENT_PATH = '/agent';
/** How often agents send a heartbeat (told in `welcome`). */
export const DEF_HEARTBEAT_INTERVAL_MS = 5000;
/** A node is offline after this many heartbeat intervals without a frame. */
export const DEF_MISSED_HEARTBEATS = 3;
/** How often the hub looks for new revisions to roll out. */
export const DEF_ROLLOUT_POLL_MS = 1000;
const SERVER_VERSION = '0.1.0';

export interface HubOptions {
  db: PrismaClient;
  log: Logger;
  heartbeatIntervalMs?: number;
  missedHeartbeats?: number;
  rolloutPollMs?: number;
  now?: () => number;
}

/** What the hub knows live about a node; `ageMs` is how old the last word from the agent is. */
export interface NodeLiveState {
  nodeId: string;
  clusterId: string;
  node: string;
  online: boolean;
  lastSeenAt: number;
  ageMs: number;
  appliedRevision: number | null;
  heartbeat: HeartbeatMessage | null;
  checks: Record<string, CheckResultMessage>;
}

interface Session {
  ws: WebSocket;
  node: (AgentNode & { name: string }) | null;
  queue: Promise<void>;
  lastSeenAt: number;
  appliedRevision: number | null;
  appliedAt: number;
  heartbeat: HeartbeatMessage | null;
  checks: Map<string, CheckResultMessage>;
  pushedRevision: number | null;
  ackedSeq: number | null;
}

export class AgentHub {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  /** Live state of nodes that were online in this process, kept after disconnect (marked offline). */
  private readonly offline = new Map<string, NodeLiveState>();
  /** Highest seq stored per node (in memory: after a restart the agent replays, and storing is idempotent). */
  private readonly acked = new Map<string, number>();
  private readonly heartbeatIntervalMs: number;
  private readonly missed: number;
  private readonly now: () => number;
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private rolloutTimer: ReturnType<typeof setInterval> | null = null;
  private rolling = false;

  constructor(private readonly opts: HubOptions) {
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? DEF_HEARTBEAT_INTERVAL_MS;
    this.missed = opts.missedHeartbeats ?? DEF_MISSED_HEARTBEATS;
    this.now = opts.now ?? Date.now;
    // Frames up to twice the protocol limit reach parseAgentFrame, which answers `too-large`;
    // bigger ones are cut off by ws itself (close 1009) before they are buffered.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_FRAME_BYTES });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
  }

  start(): void {
    this.livenessTimer = setInterval(() => this.checkLiveness(), Math.max(100, Math.floor(this.heartbeatIntervalMs / 2)));
    this.rolloutTimer = setInterval(() => void this.rollout(), this.opts.rolloutPollMs ?? DEF_ROLLOUT_POLL_MS);
  }

  /** True when the upgrade is the hub's (path `/agent`). */
  static owns(req: IncomingMessage): boolean {
    return ((req.url ?? '/').split('?')[0] ?? '/') === AGENT_PATH;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Live state of every node seen by this process: connected ones first-hand, others as last seen. */
  liveStates(): NodeLiveState[] {
    const now = this.now();
    const out = new Map(this.offline);
    for (const s of this.sessions) {
      if (!s.node) continue;
      out.set(s.node.id, {
        nodeId: s.node.id,
        clusterId: s.node.clusterId,
        node: s.node.name,
        online: true,
        lastSeenAt: s.lastSeenAt,
        ageMs: 0,
        appliedRevision: s.appliedRevision,
        heartbeat: s.heartbeat,
        checks: Object.fromEntries(s.checks),
      });
    }
    return [...out.values()].map((l) => ({ ...l, ageMs: Math.max(0, now - l.lastSeenAt) }));
  }

  async close(): Promise<void> {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    if (this.rolloutTimer) clearInterval(this.rolloutTimer);
    for (const s of this.sessions) s.ws.terminate();
    await Promise.allSettled([...this.sessions].map((s) => s.queue));
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const s: Session = { ws, node: null, queue: Promise.resolve(), lastSeenAt: this.now(), appliedRevision: null, appliedAt: 0, heartbeat: null, checks: new Map(), pushedRevision: null, ackedSeq: null };
    this.sessions.add(s);
    const remote = req.socket.remoteAddress ?? 'unix';
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const raw = isBinary ? toBytes(data) : toBytes(data).toString('utf8');
      // One message at a time per agent, so acks follow the agent's order.
      s.queue = s.queue
        .then(() => this.onFrame(s, raw, remote))
        .catch((err: unknown) => {
          // E.g. the database is down during enroll/hello: the agent retries after reconnecting.
          this.opts.log.error({ err, node: s.node?.name }, 'agent frame failed');
          this.send(s, errorMessage('internal', 'the control plane could not handle this message; try again later'));
        });
    });
    ws.on('error', (err) => this.opts.log.warn({ err, node: s.node?.name, remote }, 'agent socket error'));
    ws.on('close', (code) => {
      this.sessions.delete(s);
      if (s.node) {
        this.rememberOffline(s);
        this.opts.log.info({ node: s.node.name, code }, 'agent disconnected');
      }
    });
  }

  private send(s: Session, m: HubMessage): void {
    if (s.ws.readyState === WebSocket.OPEN) s.ws.send(encodeFrame(m));
  }

  private refuse(s: Session, code: 'unauthorized' | 'unknown-node', message: string, fields: Record<string, unknown>): void {
    this.opts.log.warn({ ...fields, code }, message);
    this.send(s, errorMessage(code, message));
    s.ws.close(1008, code);
  }

  private async onFrame(s: Session, raw: string | Uint8Array, remote: string): Promise<void> {
    const parsed = parseAgentFrame(raw);
    if (!parsed.ok) {
      this.opts.log.warn({ node: s.node?.name, remote, code: parsed.reply.code, issues: parsed.issues }, 'agent frame refused');
      this.send(s, parsed.reply);
      return;
    }
    const m = parsed.message;
    s.lastSeenAt = this.now();
    if (m.type === 'enroll') return this.enroll(s, m, remote);
    if (m.type === 'hello') return this.hello(s, m, remote);
    if (m.type === 'error') {
      this.opts.log.warn({ node: s.node?.name, code: m.code, message: m.message }, 'agent reported an error');
      return;
    }
    if (!s.node) return this.refuse(s, 'unauthorized', 'send hello (or enroll) first', { remote, type: m.type });
    await this.onEvent(s, s.node, m);
  }

  private async enroll(s: Session, m: Extract<AgentMessage, { type: 'enroll' }>, remote: string): Promise<void> {
    const hash = sha256(m.token);
    const node = await this.opts.db.node.findUnique({ where: { enrollTokenHash: hash }, select: { id: true, name: true, enrollTokenExpires: true } });
    // One message for wrong, expired, replayed and other-node tokens: the agent learns nothing more.
    const bad = 'enrollment token is not valid (wrong, expired or already used)';
    if (!node || node.name !== m.node || !node.enrollTokenExpires || node.enrollTokenExpires.getTime() < this.now()) {
      return this.refuse(s, 'unauthorized', bad, { remote, node: m.node, reason: !node ? 'unknown token' : node.name !== m.node ? 'token of another node' : 'expired' });
    }
    const credential = `kwc_${randomBytes(32).toString('base64url')}`;
    // The guarded update makes the token single-use even when two agents race with it.
    const r = await this.opts.db.node.updateMany({
      where: { id: node.id, enrollTokenHash: hash },
      data: { credentialHash: sha256(credential), enrollTokenHash: null, enrollTokenExpires: null },
    });
    if (r.count !== 1) return this.refuse(s, 'unauthorized', bad, { remote, node: m.node, reason: 'raced' });
    this.opts.log.info({ node: m.node, remote, agentVersion: m.agentVersion }, 'agent enrolled');
    this.send(s, { v: PROTOCOL_VERSION, type: 'enrolled', node: m.node, credential });
  }

  private async hello(s: Session, m: Extract<AgentMessage, { type: 'hello' }>, remote: string): Promise<void> {
    const node = await this.opts.db.node.findUnique({ where: { credentialHash: sha256(m.credential) }, select: { id: true, name: true, clusterId: true } });
    if (!node || node.name !== m.node) return this.refuse(s, 'unauthorized', 'credential is not valid for this node', { remote, node: m.node });
    // A node has one session: a new hello replaces an older connection (the agent reconnected).
    for (const other of this.sessions) {
      if (other !== s && other.node?.id === node.id) other.ws.close(4000, 'replaced by a newer connection');
    }
    s.node = { id: node.id, clusterId: node.clusterId, name: node.name };
    s.appliedRevision = m.appliedRevision;
    s.ackedSeq = this.acked.get(node.id) ?? null;
    this.offline.delete(node.id);
    this.opts.log.info({ node: node.name, remote, appliedRevision: m.appliedRevision, lastSeq: m.lastSeq }, 'agent connected');
    this.send(s, { v: PROTOCOL_VERSION, type: 'welcome', node: node.name, serverVersion: SERVER_VERSION, heartbeatIntervalMs: this.heartbeatIntervalMs, ackedSeq: s.ackedSeq });
    // A node that runs nothing yet gets the newest revision at once; others wait for their role.
    if (m.appliedRevision === null) await this.pushLatest(s);
    else await this.rolloutCluster(node.clusterId);
  }

  private async onEvent(s: Session, node: AgentNode & { name: string }, m: AgentMessage): Promise<void> {
    switch (m.type) {
      case 'heartbeat':
        s.heartbeat = m;
        if (m.appliedRevision !== s.appliedRevision) {
          s.appliedRevision = m.appliedRevision;
          s.appliedAt = m.at;
        }
        await this.rolloutCluster(node.clusterId);
        return;
      case 'apply-result':
      case 'state-transition':
      case 'check-result':
      case 'command-result':
        try {
          if (m.type === 'apply-result') {
            await this.opts.db.$transaction((tx) => recordApplyResult(tx, node, m));
            if (m.outcome === 'applied') {
              s.appliedRevision = m.revision;
              s.appliedAt = m.at;
            } else this.opts.log.warn({ node: node.name, revision: m.revision, stage: m.stage, message: m.message }, 'agent apply failed');
          } else if (m.type === 'state-transition') {
            await this.opts.db.$transaction((tx) => recordTransition(tx, node, m));
            // The live role changes now, not at the next heartbeat (the rollout reads it).
            if (s.heartbeat && m.at >= s.heartbeat.at) {
              s.heartbeat = { ...s.heartbeat, instances: s.heartbeat.instances.map((i) => (i.instance === m.instance ? { ...i, state: m.to, since: m.at } : i)) };
            }
          } else if (m.type === 'check-result') {
            s.checks.set(m.check, m);
          } else {
            this.opts.log.info({ node: node.name, id: m.id, outcome: m.outcome, reason: m.reason }, 'command result');
          }
        } catch (err) {
          if (!(err instanceof AppError)) {
            // Not acked: the agent keeps the event and replays it after reconnecting.
            this.opts.log.error({ err, node: node.name, seq: m.seq, type: m.type }, 'agent event not stored');
            this.send(s, errorMessage('internal', `${m.type} ${m.seq} not stored; it will be replayed`, String(m.seq)));
            return;
          }
          // The event can never be stored (e.g. an unknown revision): refuse it and let it go.
          this.opts.log.warn({ node: node.name, seq: m.seq, type: m.type, err: err.message }, 'agent event refused');
          this.send(s, errorMessage('invalid-message', err.message, String(m.seq)));
        }
        this.acked.set(node.id, Math.max(this.acked.get(node.id) ?? 0, m.seq));
        this.send(s, { v: PROTOCOL_VERSION, type: 'ack', seq: m.seq });
        if (m.type === 'apply-result' || m.type === 'check-result') await this.rolloutCluster(node.clusterId);
        return;
      default:
        return;
    }
  }

  private async latestRevision(clusterId: string): Promise<{ number: number; spec: ClusterSpec } | null> {
    const c = await this.opts.db.cluster.findUnique({ where: { id: clusterId }, select: { revision: true } });
    if (!c || c.revision === 0) return null;
    const rev = await this.opts.db.configRevision.findUnique({ where: { clusterId_number: { clusterId, number: c.revision } }, select: { number: true, spec: true } });
    // Stored specs passed ClusterSpecSchema when the revision was made (ConfigRevision is immutable).
    return rev ? { number: rev.number, spec: rev.spec as unknown as ClusterSpec } : null;
  }

  private async pushLatest(s: Session): Promise<void> {
    if (!s.node) return;
    const rev = await this.latestRevision(s.node.clusterId);
    if (rev) this.push(s, rev);
  }

  private push(s: Session, rev: { number: number; spec: ClusterSpec }): void {
    s.pushedRevision = rev.number;
    this.opts.log.info({ node: s.node?.name, revision: rev.number }, 'revision pushed');
    this.send(s, { v: PROTOCOL_VERSION, type: 'config-push', revision: rev.number, spec: rev.spec });
  }

  /** Looks for new revisions of every cluster with a connected agent. */
  private async rollout(): Promise<void> {
    if (this.rolling) return;
    this.rolling = true;
    try {
      const clusters = new Set([...this.sessions].flatMap((s) => (s.node ? [s.node.clusterId] : [])));
      for (const id of clusters) await this.rolloutCluster(id);
    } catch (err) {
      this.opts.log.error({ err }, 'rollout failed');
    } finally {
      this.rolling = false;
    }
  }

  private async rolloutCluster(clusterId: string): Promise<void> {
    const sessions = [...this.sessions].filter((s) => s.node?.clusterId === clusterId);
    if (sessions.length === 0) return;
    const rev = await this.latestRevision(clusterId);
    if (!rev) return;
    const failed = await this.opts.db.deployment.findMany({ where: { revision: { clusterId, number: rev.number }, status: 'failed' }, select: { nodeId: true } });
    const failedIds = new Set(failed.map((d) => d.nodeId));
    const nodes: RolloutNode[] = sessions.map((s) => ({
      nodeId: s.node!.id,
      appliedRevision: s.appliedRevision,
      master: s.heartbeat ? s.heartbeat.instances.some((i) => i.state === 'master') : null,
      healthyAfterApply: [...s.checks.values()].every((c) => c.status === 'healthy' && c.at >= s.appliedAt) && (s.heartbeat?.at ?? 0) >= s.appliedAt,
      pushedRevision: s.pushedRevision,
      // A failed apply is retried when the agent reconnects (a new session has pushed nothing).
      failed: failedIds.has(s.node!.id) && s.pushedRevision === rev.number,
    }));
    const plan = planRollout(rev.number, nodes);
    for (const s of sessions) if (plan.push.includes(s.node!.id)) this.push(s, rev);
  }

  private checkLiveness(): void {
    const limit = this.missed * this.heartbeatIntervalMs;
    const now = this.now();
    for (const s of this.sessions) {
      if (now - s.lastSeenAt <= limit) continue;
      this.opts.log.warn({ node: s.node?.name, silentMs: now - s.lastSeenAt }, 'agent missed heartbeats: offline');
      if (s.node) this.rememberOffline(s);
      s.ws.terminate();
    }
  }

  private rememberOffline(s: Session): void {
    if (!s.node) return;
    this.offline.set(s.node.id, {
      nodeId: s.node.id,
      clusterId: s.node.clusterId,
      node: s.node.name,
      online: false,
      lastSeenAt: s.lastSeenAt,
      ageMs: 0,
      appliedRevision: s.appliedRevision,
      heartbeat: s.heartbeat,
      checks: Object.fromEntries(s.checks),
    });
  }
}

function toBytes(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}
