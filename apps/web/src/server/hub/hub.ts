/**
 * The agent hub: the `/agent` WebSocket (a `ws` server in noServer mode; server.ts routes the
 * upgrade here). Per connection: `enroll` (one-time token → per-node credential, only its sha256
 * stored) and/or `hello` (credential) → `welcome` (handshake.ts); then the agent's events are
 * stored through the services and acked by `seq` (events.ts), and the cluster's newest revision
 * is pushed (HA-aware: rollout-driver.ts, rollout.ts). Every frame is parsed with
 * `parseAgentFrame`; a bad one is answered with an `error` frame and logged, never thrown
 * (STYLE §D18). This file holds the sessions, their liveness and the wiring.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  PIN_ROTATION_CAPABILITY,
  errorMessage,
  MESSAGE_SIZE_LIMITS,
  parseAgentFrame,
  welcomeCapabilities,
  type AgentMessage,
  type HubMessage,
} from '@keepwatch/shared';
import type { PrismaClient } from '../db/client';
import type { Logger } from '../logger';
import type { EventBus } from '../bus/events';
import type { Metrics } from '../metrics';
import type { LoginLimits } from '../auth/rate-limit';
import { recordAgentConnected } from '../services/enrollment';
import { DEF_HEARTBEAT_INTERVAL_MS, DEF_MISSED_HEARTBEATS } from '../services/node-status';
import { CommandDispatcher, type CommandSession } from './commands';
import { handleEvent, type EventContext } from './events';
import { Handshake } from './handshake';
import { LiveStateWriter } from './live-state-writer';
import { DEF_ROLLOUT_POLL_MS, RolloutDriver } from './rollout-driver';
import { liveStateOf, newSession, send, Sessions, toBytes, type NodeLiveState, type Session } from './session';
import { clientAddress } from '../auth/client-address';

/** The largest frame before hello/enroll (both are a few KiB; MESSAGE_SIZE_LIMITS.hello is 8 KiB). */
export const PRE_AUTH_MAX_FRAME_BYTES = 16 * 1024;
/** Sockets without hello/enroll at once, over all sources. */
export const MAX_UNAUTHENTICATED_SOCKETS = 256;

export const AGENT_PATH = '/agent';
// The liveness rule lives with the readers of live state (services/node-status.ts).
export { DEF_HEARTBEAT_INTERVAL_MS, DEF_MISSED_HEARTBEATS, DEF_ROLLOUT_POLL_MS };
export { DEF_AGENT_AUTH_LIMITS, DEF_HANDSHAKE_TIMEOUT_MS } from './handshake';
export type { NodeLiveState } from './session';

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
  /** Proxies whose X-Forwarded-For is believed for the agent's source address (rate limits, audit). */
  trustedProxies?: readonly string[];
  /** Dashboard key pins announced after `welcome` to agents that take them (KEEPWATCH_AGENT_PINS). */
  agentPins?: readonly string[];
  authLimits?: LoginLimits;
}

export class AgentHub {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Sessions();
  /** Live state of nodes that were online in this process, kept after disconnect (marked offline). */
  private readonly offline = new Map<string, NodeLiveState>();
  /** Highest seq stored per node (in memory: after a restart the agent replays, and storing is idempotent). */
  private readonly acked = new Map<string, number>();
  private readonly heartbeatIntervalMs: number;
  private readonly missed: number;
  private readonly now: () => number;
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private rolloutTimer: ReturnType<typeof setInterval> | null = null;
  /** Writes lastSeenAt, heartbeats and check results to the Node rows, batched. */
  readonly live: LiveStateWriter;
  private readonly handshake: Handshake;
  private readonly rollout: RolloutDriver;
  /** Failover commands: desired state (database) vs heartbeats, level-triggered (commands.ts). */
  private readonly commands: CommandDispatcher;
  private readonly events: EventContext;

  constructor(private readonly opts: HubOptions) {
    const { db, log, metrics } = opts;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? DEF_HEARTBEAT_INTERVAL_MS;
    this.missed = opts.missedHeartbeats ?? DEF_MISSED_HEARTBEATS;
    this.now = opts.now ?? Date.now;
    const now = this.now;
    this.handshake = new Handshake({
      db,
      log,
      now,
      ...(metrics ? { metrics } : {}),
      ...(opts.handshakeTimeoutMs ? { timeoutMs: opts.handshakeTimeoutMs } : {}),
      ...(opts.authLimits ? { authLimits: opts.authLimits } : {}),
    });
    this.commands = new CommandDispatcher({ db, log, now });
    this.rollout = new RolloutDriver({
      db,
      log,
      now,
      sessions: this.sessions,
      ...(metrics ? { metrics } : {}),
      afterSweep: async () => {
        for (const id of [...this.commands.unconverged]) await this.reconcileCluster(id);
      },
    });
    this.live = new LiveStateWriter({
      db,
      log,
      now,
      ...(opts.liveFlushMs ? { flushMs: opts.liveFlushMs } : {}),
      onFlushed: (changed) => this.announceLive(changed),
    });
    this.events = {
      db,
      log,
      live: this.live,
      commands: this.commands,
      rollout: this.rollout,
      acked: this.acked,
      publish: (e) => this.publish(e),
      reconcileCluster: (id) => this.reconcileCluster(id),
    };
    // Frames up to twice the largest message an agent sends (apply-result and heartbeat, 128 KiB)
    // reach parseAgentFrame, which answers `too-large`; bigger ones are cut off by ws itself
    // (close 1009) before they are buffered — what an unauthenticated socket can make the
    // dashboard hold (issue #15 finding 8; config pushes, up to 4 MiB, only go the other way).
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MESSAGE_SIZE_LIMITS['apply-result'] });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
  }

  start(): void {
    this.live.start();
    this.livenessTimer = setInterval(
      () => this.checkLiveness(),
      Math.max(100, Math.floor(this.heartbeatIntervalMs / 2)),
    );
    this.rolloutTimer = setInterval(() => void this.rollout.sweep(), this.opts.rolloutPollMs ?? DEF_ROLLOUT_POLL_MS);
  }

  /** True when the upgrade is the hub's (path `/agent`). */
  static owns(req: IncomingMessage): boolean {
    return ((req.url ?? '/').split('?')[0] ?? '/') === AGENT_PATH;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Sockets that have not said hello or enroll yet are capped (each lives at most the handshake
    // timeout): past the cap an upgrade is answered 503 before any WebSocket exists (issue #15
    // finding 8), so a flood of idle connections cannot exhaust the dashboard.
    if ([...this.sessions].filter((x) => !x.node).length >= MAX_UNAUTHENTICATED_SOCKETS) {
      this.opts.log.warn(
        { remote: req.socket.remoteAddress },
        'agent upgrade refused: too many unauthenticated sockets',
      );
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Live state of every node seen by this process: connected ones first-hand, others as last seen. */
  liveStates(): NodeLiveState[] {
    const now = this.now();
    const out = new Map(this.offline);
    for (const s of this.sessions) if (s.node) out.set(s.node.id, liveStateOf(s, s.node, true));
    return [...out.values()].map((l) => ({ ...l, ageMs: Math.max(0, now - l.lastSeenAt) }));
  }

  /** The clusters with an agent connected to this instance. */
  connectedClusters(): string[] {
    return this.sessions.clusters();
  }

  /**
   * Sends the failover commands that bring this cluster's agents connected here to the desired
   * state in the database (promotes, maintenance; hub/commands.ts). Safe to call any time, from
   * any instance: it plans from current state. Never throws (logged).
   */
  reconcileCluster(clusterId: string): Promise<void> {
    const sessions = (): CommandSession[] =>
      this.sessions.ofCluster(clusterId).map((s) => ({
        nodeId: s.node.id,
        node: s.node.name,
        heartbeat: s.heartbeat,
        send: (m: HubMessage) => send(s, m),
      }));
    return this.commands
      .reconcile(clusterId, sessions)
      .catch((err: unknown) => this.opts.log.error({ err, clusterId }, 'failover commands not reconciled'));
  }

  /** Looks for new revisions now rather than at the next poll (a config change was committed somewhere). */
  rolloutNow(): Promise<void> {
    return this.rollout.sweep('new');
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
    const s = newSession(ws, this.now());
    this.sessions.add(s);
    const remote = clientAddress(req, this.opts.trustedProxies ?? []) ?? 'unix';
    const handshake = this.handshake.startTimer(s, remote);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const raw = isBinary ? toBytes(data) : toBytes(data).toString('utf8');
      // One message at a time per agent, so acks follow the agent's order.
      s.queue = s.queue
        .then(() => this.onFrame(s, raw, remote))
        .catch((err: unknown) => {
          // E.g. the database is down during enroll/hello: the agent retries after reconnecting.
          this.opts.log.error({ err, node: s.node?.name }, 'agent frame failed');
          send(s, errorMessage('internal', 'the control plane could not handle this message; try again later'));
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

  private async onFrame(s: Session, raw: string | Uint8Array, remote: string): Promise<void> {
    // Before hello/enroll only those two small messages are valid: a bigger frame is refused by
    // its size, before any parsing, and the socket closed (issue #15 finding 8).
    const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (!s.node && bytes > PRE_AUTH_MAX_FRAME_BYTES) {
      this.opts.log.warn({ remote, bytes }, 'agent frame refused before authentication: too large');
      send(s, errorMessage('too-large', `before hello or enroll a frame is at most ${PRE_AUTH_MAX_FRAME_BYTES} bytes`));
      s.ws.close(1009, 'too large before authentication');
      return;
    }
    const parsed = parseAgentFrame(raw);
    if (!parsed.ok) {
      const fields = { node: s.node?.name, remote, code: parsed.reply.code, issues: parsed.issues };
      this.opts.log.warn(fields, 'agent frame refused');
      send(s, parsed.reply);
      return;
    }
    const m = parsed.message;
    s.lastSeenAt = this.now();
    if (s.node) this.live.seen(s.node, s.lastSeenAt);
    if ((m.type === 'enroll' || m.type === 'hello') && !this.handshake.admit(s, m, remote)) return;
    if (m.type === 'enroll') {
      if (await this.handshake.enroll(s, m, remote)) void this.publish({ type: 'audit', clusterId: null });
      return;
    }
    if (m.type === 'hello') return this.hello(s, m, remote);
    if (m.type === 'error') {
      this.opts.log.warn({ node: s.node?.name, code: m.code, message: m.message }, 'agent reported an error');
      return;
    }
    if (!s.node) {
      const fields = { type: m.type, reason: 'no-hello' };
      return this.handshake.refuse(s, 'unauthorized', 'send hello (or enroll) first', fields, remote);
    }
    await handleEvent(this.events, s, s.node, m);
  }

  private async hello(s: Session, m: Extract<AgentMessage, { type: 'hello' }>, remote: string): Promise<void> {
    const node = await this.handshake.hello(s, m, remote);
    if (!node) return;
    this.sessions.replaceOlder(s, node.id);
    s.node = node;
    this.commands.newSession(node.id);
    s.appliedRevision = m.appliedRevision;
    s.capabilities = m.capabilities;
    s.ackedSeq = this.acked.get(node.id) ?? null;
    this.offline.delete(node.id);
    // Online at once for every instance (not at the next batch), with what the agent told.
    await recordAgentConnected(this.opts.db, node.id, {
      agentVersion: m.agentVersion,
      agentAddress: remote,
      at: s.lastSeenAt,
    });
    this.live.forget(node.id);
    this.countAgents();
    void this.publish({ type: 'node-live', clusterIds: [node.clusterId] });
    const fields = { node: node.name, remote, appliedRevision: m.appliedRevision, lastSeq: m.lastSeq };
    this.opts.log.info(fields, 'agent connected');
    this.handshake.welcome(s, node, this.heartbeatIntervalMs, welcomeCapabilities(m.capabilities));
    const pins = this.opts.agentPins ?? [];
    if (pins.length > 0 && m.capabilities.includes(PIN_ROTATION_CAPABILITY)) this.handshake.announcePins(s, pins);
    // A node that runs nothing yet gets the newest revision at once; others wait for their role.
    if (m.appliedRevision === null) await this.rollout.pushLatest(s);
    else await this.rollout.cluster(node.clusterId);
  }

  /** Liveness: a session silent for `missedHeartbeats × heartbeatIntervalMs` is offline and cut. */
  private checkLiveness(): void {
    const now = this.now();
    for (const s of this.sessions.silent(now, this.missed * this.heartbeatIntervalMs)) {
      this.opts.log.warn({ node: s.node?.name, silentMs: now - s.lastSeenAt }, 'agent missed heartbeats: offline');
      this.rememberOffline(s);
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
    this.opts.metrics?.agentsConnected.set(this.sessions.authenticated());
  }

  private rememberOffline(s: Session): void {
    if (s.node) this.offline.set(s.node.id, liveStateOf(s, s.node, false));
  }
}
