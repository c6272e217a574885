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
import {
  DEF_HEARTBEAT_INTERVAL_MS,
  DEF_MISSED_HEARTBEATS,
  heartbeatKey,
  LiveStateWriter,
} from '../services/node-status';
import type { EventBus } from '../bus/events';
import type { Metrics } from '../metrics';
import { LoginRateLimiter, type LoginLimits } from '../auth/rate-limit';
import { writeAudit } from '../services/audit';
import { planRollout, type RolloutNode } from './rollout';
import { CommandDispatcher, type CommandSession } from './commands';

export const AGENT_PATH = '/agent';
// The liveness rule lives with the readers of live state (services/node-status.ts).
export { DEF_HEARTBEAT_INTERVAL_MS, DEF_MISSED_HEARTBEATS };
/** How often the hub looks for new revisions to roll out. */
export const DEF_ROLLOUT_POLL_MS = 1000;
const SERVER_VERSION = '0.1.0';
/** A connection must send enroll or hello within this time, or it is closed. */
export const DEF_HANDSHAKE_TIMEOUT_MS = 5000;
/**
 * Refused enroll/hello attempts per source address in a sliding window; over it, that address's
 * attempts are refused without a database lookup until the window frees up (token guessing).
 */
export const DEF_AGENT_AUTH_LIMITS: LoginLimits = { windowMs: 5 * 60_000, perUser: 20, perAddress: 20 };
/** Refusals that look like guessing and count against the address (not slowness or a lost race). */
const GUESS_REASONS = new Set(['unknown-token', 'token-of-another-node', 'expired-token', 'bad-credential']);

export interface HubOptions {
  db: PrismaClient;
  log: Logger;
  heartbeatIntervalMs?: number;
  missedHeartbeats?: number;
  rolloutPollMs?: number;
  now?: () => number;
  /** Where the hub announces what it stored (transitions, deployments, node live state). */
  bus?: EventBus;
  metrics?: Metrics;
  /** How often heard-from nodes' lastSeenAt and live state are written (one batch per flush). */
  liveFlushMs?: number;
  handshakeTimeoutMs?: number;
  authLimits?: LoginLimits;
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
  /** An enroll or hello arrived (the handshake timeout then no longer applies). */
  greeted: boolean;
  queue: Promise<void>;
  lastSeenAt: number;
  appliedRevision: number | null;
  appliedAt: number;
  heartbeat: HeartbeatMessage | null;
  /** heartbeatKey(heartbeat): one serialisation per heartbeat, shared by the hub and the live-state writer. */
  heartbeatKey: string | null;
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
  /** A rollout was asked for while one ran: run again when it ends, so no trigger is lost. */
  private rolloutAgain = false;
  /**
   * The newest revision of each cluster with a connected agent (revisions are immutable, so only
   * the number can change): a rollout sweep reads the numbers of all clusters in one query and
   * fetches a spec only when its number moved.
   */
  private readonly revisions = new Map<string, { number: number; spec: ClusterSpec }>();
  /** Writes lastSeenAt, heartbeats and check results to the Node rows, batched. */
  readonly live: LiveStateWriter;
  /** Refused enroll/hello per source address (keyed `agent@ADDRESS`). */
  private readonly authLimiter: LoginRateLimiter;
  /** When each node was last pushed a revision, for the apply-latency histogram. */
  private readonly pushedAt = new Map<string, { revision: number; at: number }>();
  /** Failover commands: desired state (database) vs heartbeats, level-triggered (commands.ts). */
  private readonly commands: CommandDispatcher;

  constructor(private readonly opts: HubOptions) {
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? DEF_HEARTBEAT_INTERVAL_MS;
    this.missed = opts.missedHeartbeats ?? DEF_MISSED_HEARTBEATS;
    this.now = opts.now ?? Date.now;
    this.authLimiter = new LoginRateLimiter(opts.authLimits ?? DEF_AGENT_AUTH_LIMITS, this.now);
    this.commands = new CommandDispatcher({ db: opts.db, log: opts.log, now: this.now });
    this.live = new LiveStateWriter({
      db: opts.db,
      log: opts.log,
      now: this.now,
      ...(opts.liveFlushMs ? { flushMs: opts.liveFlushMs } : {}),
      onFlushed: (changed) => this.announceLive(changed),
    });
    // Frames up to twice the protocol limit reach parseAgentFrame, which answers `too-large`;
    // bigger ones are cut off by ws itself (close 1009) before they are buffered.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_FRAME_BYTES });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
  }

  start(): void {
    this.live.start();
    this.livenessTimer = setInterval(
      () => this.checkLiveness(),
      Math.max(100, Math.floor(this.heartbeatIntervalMs / 2)),
    );
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
    await this.live.close();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const s: Session = {
      ws,
      node: null,
      greeted: false,
      queue: Promise.resolve(),
      lastSeenAt: this.now(),
      appliedRevision: null,
      appliedAt: 0,
      heartbeat: null,
      heartbeatKey: null,
      checks: new Map(),
      pushedRevision: null,
      ackedSeq: null,
    };
    this.sessions.add(s);
    const remote = req.socket.remoteAddress ?? 'unix';
    // An unauthenticated socket costs memory and a slot: it must say hello promptly.
    const handshakeMs = this.opts.handshakeTimeoutMs ?? DEF_HANDSHAKE_TIMEOUT_MS;
    const handshake = setTimeout(() => {
      // A busy hub may still be checking the enroll/hello it received: only silence is refused.
      if (s.greeted || s.node || s.ws.readyState !== WebSocket.OPEN) return;
      this.refuse(
        s,
        'unauthorized',
        `no hello within ${handshakeMs} ms`,
        { remote, reason: 'handshake-timeout' },
        remote,
      );
    }, handshakeMs);
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
      clearTimeout(handshake);
      this.sessions.delete(s);
      if (s.node) {
        this.rememberOffline(s);
        this.countAgents();
        void this.publish({ type: 'node-live', clusterIds: [s.node.clusterId] });
        this.opts.log.info({ node: s.node.name, code }, 'agent disconnected');
      }
    });
  }

  private send(s: Session, m: HubMessage): void {
    if (s.ws.readyState === WebSocket.OPEN) s.ws.send(encodeFrame(m));
  }

  /** Refuses and closes an unauthenticated connection; counts it against the source address. */
  private refuse(
    s: Session,
    code: 'unauthorized' | 'unknown-node',
    message: string,
    fields: Record<string, unknown>,
    remote: string,
  ): void {
    const reason = typeof fields.reason === 'string' ? fields.reason : code;
    if (GUESS_REASONS.has(reason)) this.authLimiter.fail(`agent@${remote}`, null);
    this.opts.metrics?.agentAuthFailures.inc({ reason });
    this.opts.log.warn({ ...fields, code }, message);
    this.send(s, errorMessage(code, message));
    s.ws.close(1008, code);
  }

  private async onFrame(s: Session, raw: string | Uint8Array, remote: string): Promise<void> {
    const parsed = parseAgentFrame(raw);
    if (!parsed.ok) {
      this.opts.log.warn(
        { node: s.node?.name, remote, code: parsed.reply.code, issues: parsed.issues },
        'agent frame refused',
      );
      this.send(s, parsed.reply);
      return;
    }
    const m = parsed.message;
    s.lastSeenAt = this.now();
    if (s.node) this.live.seen(s.node, s.lastSeenAt);
    if (m.type === 'enroll' || m.type === 'hello') {
      s.greeted = true;
      const waitMs = this.authLimiter.check(`agent@${remote}`, null);
      if (waitMs !== null) {
        this.opts.metrics?.agentAuthFailures.inc({ reason: 'rate-limited' });
        this.opts.log.warn({ remote, node: m.node, type: m.type }, 'agent authentication rate-limited');
        this.send(
          s,
          errorMessage(
            'unauthorized',
            `too many refused attempts from this address; retry in ${Math.ceil(waitMs / 1000)} s`,
          ),
        );
        s.ws.close(1008, 'rate-limited');
        return;
      }
    }
    if (m.type === 'enroll') return this.enroll(s, m, remote);
    if (m.type === 'hello') return this.hello(s, m, remote);
    if (m.type === 'error') {
      this.opts.log.warn({ node: s.node?.name, code: m.code, message: m.message }, 'agent reported an error');
      return;
    }
    if (!s.node)
      return this.refuse(
        s,
        'unauthorized',
        'send hello (or enroll) first',
        { remote, type: m.type, reason: 'no-hello' },
        remote,
      );
    await this.onEvent(s, s.node, m);
  }

  private async enroll(s: Session, m: Extract<AgentMessage, { type: 'enroll' }>, remote: string): Promise<void> {
    const hash = sha256(m.token);
    const node = await this.opts.db.node.findUnique({
      where: { enrollTokenHash: hash },
      select: { id: true, name: true, enrollTokenExpires: true },
    });
    // One message for wrong, expired, replayed and other-node tokens: the agent learns nothing more.
    const bad = 'enrollment token is not valid (wrong, expired or already used)';
    if (!node || node.name !== m.node || !node.enrollTokenExpires || node.enrollTokenExpires.getTime() < this.now()) {
      return this.refuse(
        s,
        'unauthorized',
        bad,
        {
          remote,
          node: m.node,
          reason: !node ? 'unknown-token' : node.name !== m.node ? 'token-of-another-node' : 'expired-token',
        },
        remote,
      );
    }
    const credential = `kwc_${randomBytes(32).toString('base64url')}`;
    // The guarded update makes the token single-use even when two agents race with it; the
    // credential and its audit record (actor: the agent, from its address) commit together.
    const enrolled = await this.opts.db.$transaction(async (tx) => {
      const r = await tx.node.updateMany({
        where: { id: node.id, enrollTokenHash: hash },
        data: { credentialHash: sha256(credential), enrollTokenHash: null, enrollTokenExpires: null },
      });
      if (r.count !== 1) return false;
      await writeAudit(
        tx,
        { kind: 'system', name: `agent:${node.name}`, sourceAddress: remote },
        {
          action: 'node.enroll',
          targetType: 'node',
          targetId: node.id,
          after: { node: node.name, agentVersion: m.agentVersion },
        },
      );
      return true;
    });
    if (!enrolled) return this.refuse(s, 'unauthorized', bad, { remote, node: m.node, reason: 'raced' }, remote);
    void this.publish({ type: 'audit', clusterId: null });
    this.opts.log.info({ node: m.node, remote, agentVersion: m.agentVersion }, 'agent enrolled');
    this.send(s, { v: PROTOCOL_VERSION, type: 'enrolled', node: m.node, credential });
  }

  private async hello(s: Session, m: Extract<AgentMessage, { type: 'hello' }>, remote: string): Promise<void> {
    const node = await this.opts.db.node.findUnique({
      where: { credentialHash: sha256(m.credential) },
      select: { id: true, name: true, clusterId: true },
    });
    if (!node || node.name !== m.node)
      return this.refuse(
        s,
        'unauthorized',
        'credential is not valid for this node',
        { remote, node: m.node, reason: 'bad-credential' },
        remote,
      );
    // A node has one session: a new hello replaces an older connection (the agent reconnected).
    for (const other of this.sessions) {
      if (other !== s && other.node?.id === node.id) other.ws.close(4000, 'replaced by a newer connection');
    }
    s.node = { id: node.id, clusterId: node.clusterId, name: node.name };
    this.commands.newSession(node.id);
    s.appliedRevision = m.appliedRevision;
    s.ackedSeq = this.acked.get(node.id) ?? null;
    this.offline.delete(node.id);
    // Online at once for every instance (not at the next batch), with what the agent told.
    await this.opts.db.node.update({
      where: { id: node.id },
      data: { agentVersion: m.agentVersion, agentAddress: remote, lastSeenAt: new Date(s.lastSeenAt) },
    });
    this.live.forget(node.id);
    this.countAgents();
    void this.publish({ type: 'node-live', clusterIds: [node.clusterId] });
    this.opts.log.info(
      { node: node.name, remote, appliedRevision: m.appliedRevision, lastSeq: m.lastSeq },
      'agent connected',
    );
    this.send(s, {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      node: node.name,
      serverVersion: SERVER_VERSION,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      ackedSeq: s.ackedSeq,
    });
    // A node that runs nothing yet gets the newest revision at once; others wait for their role.
    if (m.appliedRevision === null) await this.pushLatest(s);
    else await this.rolloutCluster(node.clusterId);
  }

  private async onEvent(s: Session, node: AgentNode & { name: string }, m: AgentMessage): Promise<void> {
    switch (m.type) {
      case 'heartbeat': {
        // The first heartbeat of a session (a new or reconnected agent) and every heartbeat of a
        // cluster not yet as desired: plan failover commands again.
        const plan = s.heartbeat === null || this.commands.unconverged.has(node.clusterId);
        // Only a heartbeat that can change the rollout's plan (new content, or the first one
        // after an apply, which makes the node count as healthy-after-apply) plans it now; the
        // others wait for the 1 s poll — 1000 agents heartbeating must not cost 2000 queries/s.
        const key = heartbeatKey(m);
        const replan = s.heartbeat === null || s.heartbeat.at < s.appliedAt || s.heartbeatKey !== key;
        s.heartbeat = m;
        s.heartbeatKey = key;
        if (plan) void this.reconcileCluster(node.clusterId);
        this.live.heartbeat(node, m, key);
        if (m.appliedRevision !== s.appliedRevision) {
          s.appliedRevision = m.appliedRevision;
          s.appliedAt = m.at;
        }
        if (replan || s.appliedAt === m.at) await this.rolloutCluster(node.clusterId);
        return;
      }
      case 'apply-result':
      case 'state-transition':
      case 'check-result':
      case 'command-result':
        try {
          if (m.type === 'apply-result') {
            await this.opts.db.$transaction((tx) => recordApplyResult(tx, node, m));
            this.observeApply(node.id, m.revision, m.outcome);
            void this.publish({ type: 'deployment', clusterId: node.clusterId, revision: m.revision, nodeId: node.id });
            if (m.outcome === 'applied') {
              s.appliedRevision = m.revision;
              s.appliedAt = m.at;
            } else
              this.opts.log.warn(
                { node: node.name, revision: m.revision, stage: m.stage, message: m.message },
                'agent apply failed',
              );
          } else if (m.type === 'state-transition') {
            const isNew = await this.opts.db.$transaction((tx) => recordTransition(tx, node, m));
            // The live role changes now, not at the next heartbeat (the rollout reads it).
            if (s.heartbeat && m.at >= s.heartbeat.at) {
              s.heartbeat = {
                ...s.heartbeat,
                instances: s.heartbeat.instances.map((i) =>
                  i.instance === m.instance ? { ...i, state: m.to, since: m.at } : i,
                ),
              };
              s.heartbeatKey = heartbeatKey(s.heartbeat);
              this.live.heartbeat(node, s.heartbeat, s.heartbeatKey);
            }
            if (isNew) {
              // Store the patched live state first, so a page that refreshes on this event reads the new role.
              await this.live.flush();
              void this.publish({
                type: 'transition',
                clusterId: node.clusterId,
                nodeId: node.id,
                instance: m.instance,
                to: m.to,
              });
            }
            await this.commands.onTransition(node.id, m);
            void this.publish({ type: 'command', clusterId: node.clusterId });
          } else if (m.type === 'check-result') {
            s.checks.set(m.check, m);
            this.live.checkResult(node, m);
          } else {
            this.opts.log.info({ node: node.name, id: m.id, outcome: m.outcome, reason: m.reason }, 'command result');
            await this.commands.onResult(node.id, m, s.heartbeat);
            void this.publish({ type: 'command', clusterId: node.clusterId });
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

  /**
   * Sends the failover commands that bring this cluster's agents connected here to the desired
   * state in the database (promotes, maintenance; hub/commands.ts). Safe to call any time, from
   * any instance: it plans from current state. Never throws (logged).
   */
  /** The clusters with an agent connected to this instance. */
  connectedClusters(): string[] {
    return [...new Set([...this.sessions].flatMap((s) => (s.node ? [s.node.clusterId] : [])))];
  }

  reconcileCluster(clusterId: string): Promise<void> {
    const sessions = (): CommandSession[] =>
      [...this.sessions].flatMap((s) =>
        s.node?.clusterId === clusterId
          ? [{ nodeId: s.node.id, node: s.node.name, heartbeat: s.heartbeat, send: (m: HubMessage) => this.send(s, m) }]
          : [],
      );
    return this.commands
      .reconcile(clusterId, sessions)
      .catch((err: unknown) => this.opts.log.error({ err, clusterId }, 'failover commands not reconciled'));
  }

  /** The cluster's newest revision: from the cache unless `fresh` (or not cached yet). */
  private async latestRevision(
    clusterId: string,
    fresh = false,
  ): Promise<{ number: number; spec: ClusterSpec } | null> {
    const cached = this.revisions.get(clusterId);
    if (cached && !fresh) return cached;
    const c = await this.opts.db.cluster.findUnique({ where: { id: clusterId }, select: { revision: true } });
    if (!c || c.revision === 0) return null;
    if (cached?.number === c.revision) return cached;
    const rev = await this.opts.db.configRevision.findUnique({
      where: { clusterId_number: { clusterId, number: c.revision } },
      select: { number: true, spec: true },
    });
    if (!rev) return null;
    // Stored specs passed ClusterSpecSchema when the revision was made (ConfigRevision is immutable).
    const latest = { number: rev.number, spec: rev.spec as unknown as ClusterSpec };
    this.revisions.set(clusterId, latest);
    return latest;
  }

  private async pushLatest(s: Session): Promise<void> {
    if (!s.node) return;
    const rev = await this.latestRevision(s.node.clusterId, true);
    if (rev) this.push(s, rev);
  }

  private push(s: Session, rev: { number: number; spec: ClusterSpec }): void {
    s.pushedRevision = rev.number;
    if (s.node) this.pushedAt.set(s.node.id, { revision: rev.number, at: this.now() });
    this.opts.metrics?.revisionsPushed.inc();
    this.opts.log.info({ node: s.node?.name, revision: rev.number }, 'revision pushed');
    this.send(s, { v: PROTOCOL_VERSION, type: 'config-push', revision: rev.number, spec: rev.spec });
  }

  /** Looks for new revisions now rather than at the next poll (a config change was committed somewhere). */
  rolloutNow(): Promise<void> {
    return this.rollout();
  }

  /**
   * Looks for new revisions of every cluster with a connected agent: one query for all their
   * revision numbers, then the rollout step only for clusters whose agents do not all run the
   * newest revision yet — so a sweep over many converged clusters costs one query.
   */
  private async rollout(): Promise<void> {
    if (this.rolling) {
      this.rolloutAgain = true;
      return;
    }
    this.rolling = true;
    try {
      for (let round = 0; round < 10; round++) {
        this.rolloutAgain = false;
        const ids = this.connectedClusters();
        const rows =
          ids.length === 0
            ? []
            : await this.opts.db.cluster.findMany({ where: { id: { in: ids } }, select: { id: true, revision: true } });
        const present = new Set(rows.map((r) => r.id));
        for (const id of this.revisions.keys()) if (!present.has(id)) this.revisions.delete(id);
        for (const r of rows) {
          if (r.revision === 0) continue;
          // A moved number refreshes the cached spec; rolloutCluster skips converged clusters.
          if (this.revisions.get(r.id)?.number !== r.revision) await this.latestRevision(r.id, true);
          await this.rolloutCluster(r.id);
        }
        for (const id of [...this.commands.unconverged]) await this.reconcileCluster(id);
        if (!this.rolloutAgain) break;
      }
    } catch (err) {
      this.opts.log.error({ err }, 'rollout failed');
    } finally {
      this.rolling = false;
    }
  }

  /** Every connected agent of the cluster runs `revision`: nothing to push. */
  private converged(clusterId: string, revision: number): boolean {
    for (const s of this.sessions) if (s.node?.clusterId === clusterId && s.appliedRevision !== revision) return false;
    return true;
  }

  private async rolloutCluster(clusterId: string): Promise<void> {
    const sessions = [...this.sessions].filter((s) => s.node?.clusterId === clusterId);
    if (sessions.length === 0) return;
    const rev = await this.latestRevision(clusterId);
    // Called on heartbeats, apply and check results: a cluster whose agents all run the newest
    // revision costs no query.
    if (!rev || this.converged(clusterId, rev.number)) return;
    const failed = await this.opts.db.deployment.findMany({
      where: { revision: { clusterId, number: rev.number }, status: 'failed' },
      select: { nodeId: true },
    });
    const failedIds = new Set(failed.map((d) => d.nodeId));
    const nodes: RolloutNode[] = sessions.map((s) => ({
      nodeId: s.node!.id,
      appliedRevision: s.appliedRevision,
      master: s.heartbeat ? s.heartbeat.instances.some((i) => i.state === 'master') : null,
      healthyAfterApply:
        [...s.checks.values()].every((c) => c.status === 'healthy' && c.at >= s.appliedAt) &&
        (s.heartbeat?.at ?? 0) >= s.appliedAt,
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

  private publish(e: Parameters<EventBus['publish']>[0]): Promise<void> {
    return this.opts.bus ? this.opts.bus.publish(e) : Promise.resolve();
  }

  /** After a live-state flush: the clusters concerned, 150 per event (NOTIFY payload limit). */
  private announceLive(changed: { id: string; clusterId: string }[]): void {
    const ids = [...new Set(changed.map((c) => c.clusterId))];
    for (let i = 0; i < ids.length; i += 150)
      void this.publish({ type: 'node-live', clusterIds: ids.slice(i, i + 150) });
  }

  private countAgents(): void {
    this.opts.metrics?.agentsConnected.set([...this.sessions].filter((x) => x.node).length);
  }

  private observeApply(nodeId: string, revision: number, outcome: 'applied' | 'failed'): void {
    if (outcome === 'failed') this.opts.metrics?.failedApplies.inc();
    const p = this.pushedAt.get(nodeId);
    // Only a result for the revision this instance pushed has a latency (a replayed result does not).
    if (p && p.revision === revision) {
      this.opts.metrics?.applyLatency.observe((this.now() - p.at) / 1000);
      this.pushedAt.delete(nodeId);
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
