import { WebSocket, type RawData } from 'ws';
import {
  encodeFrame,
  MAX_FRAME_BYTES,
  NGINX_BUILD_CAPABILITY,
  NGINX_STATUS_CAPABILITY,
  PIN_ROTATION_CAPABILITY,
  parseHubFrame,
  PROTOCOL_VERSION,
  TLS_CAPABILITY,
  helloMessage,
  type AgentMessage,
  type ClusterSpec,
  type Command,
  type ControlPlane,
  type HeartbeatMessage,
  type HubMessage,
  type TlsMaterial,
} from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { DEF_HEARTBEAT_INTERVAL_MS } from '../config/defaults.js';
import { Backoff, RetryTimer } from './backoff.js';
import { Outbox, type NewOutboxEvent } from './outbox.js';
import type { CommandOutcome } from './commands.js';
import type { TLSSocket } from 'node:tls';
import { peerPin, pinProblem, takeAnnouncedPins, tlsClientOptions, trustedPins } from './tls.js';
import { credentialFile, readCredential, writeCredential } from './credential.js';
import { BuildReport, forHub, type ApplyOutcome } from './compat.js';
import type { NginxBuildProbe } from '../nginx/build-info.js';

export type { ApplyOutcome };

export const AGENT_VERSION = '0.2.0';

/** What the client needs from the agent (passed in by the Agent). */
export interface ControlHandlers {
  /** Applies a revision the hub pushed (with its certificates, `tls`); called one at a time. */
  applyRevision(revision: number, spec: ClusterSpec, tls?: TlsMaterial): Promise<ApplyOutcome>;
  /** The revision running now, or null. */
  appliedRevision(): number | null;
  /** The live part of a heartbeat. */
  heartbeat(): Pick<HeartbeatMessage, 'maintenance' | 'nginx' | 'instances'>;
  /** Carries out a failover command (promote/release/maintenance); called one at a time, between applies. */
  command(command: Command): Promise<CommandOutcome>;
}

export interface ControlClientOptions {
  controlPlane: ControlPlane;
  node: string;
  stateDir: string;
  log: Logger;
  handlers: ControlHandlers;
  /** Uniform in [0, 1): the backoff's jitter. */
  rng: () => number;
  /** Wall clock in epoch ms (event timestamps). */
  now?: () => number;
  /** `nginx -V` of the host's nginx (nginx/build-info.ts), for heartbeats' `nginx.build`. */
  nginxBuild?: Pick<NginxBuildProbe, 'load' | 'current'>;
}

/**
 * The agent's control-plane client: one WebSocket to the hub (`ws://`, `wss://` or `ws+unix://`),
 * `enroll` once with the one-time token (the credential is then kept in the state directory, mode
 * 0600), `hello` on every connect, heartbeats, events through the outbox (replayed after a
 * reconnect, dropped when acked), pushed revisions handed to the agent. Reconnects with jittered
 * exponential backoff. It never stops the agent: without the hub, VRRP and nginx keep running.
 */
export class ControlClient {
  private ws: WebSocket | null = null;
  private readonly outbox: Outbox;
  private readonly retry: RetryTimer;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private session = false;
  private stopped = true;
  private applying: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: ControlClientOptions) {
    this.outbox = new Outbox({ stateDir: opts.stateDir, log: opts.log });
    this.retry = new RetryTimer(new Backoff(opts.rng));
    this.now = opts.now ?? Date.now;
  }

  /** The pin of the key the open connection was verified with; null when not pinned. */
  private connectedPin: string | null = null;
  /** The capabilities of the hub's welcome: optional fields go only to a hub that takes them (compat.ts). */
  private hubCapabilities: readonly string[] = [];
  private readonly buildReport = new BuildReport();

  private readCredential(): string | null {
    const c = readCredential(this.opts.stateDir, this.opts.node);
    if (c !== 'invalid') return c;
    const file = credentialFile(this.opts.stateDir);
    this.opts.log.warn({ file }, 'credential file ignored (invalid or another node)');
    return null;
  }

  /** Connected and welcomed by the hub. */
  get connected(): boolean {
    return this.session;
  }

  start(): void {
    this.stopped = false;
    this.outbox.load();
    void this.opts.nginxBuild?.load();
    this.connect();
  }

  /** Queues an event (numbered, timestamped by the caller) and sends it when connected. */
  emit(event: NewOutboxEvent): void {
    const e = this.outbox.push(event);
    if (this.session) this.send(e);
  }

  private send(m: AgentMessage): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    try {
      this.ws.send(encodeFrame(forHub(m, this.hubCapabilities)));
    } catch (err) {
      this.opts.log.error({ err, type: m.type }, 'frame not sent');
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.opts.controlPlane.url;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        maxPayload: 2 * MAX_FRAME_BYTES,
        handshakeTimeout: 10_000,
        ...tlsClientOptions(this.opts.controlPlane),
      });
    } catch (err) {
      this.opts.log.error({ err, url }, 'control plane URL not usable');
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    const pins = trustedPins(this.opts.stateDir, this.opts.controlPlane.pins);
    this.connectedPin = null;
    if (pins && url.startsWith('wss://'))
      // Emitted before the socket opens: terminating here means nothing is ever sent on it.
      ws.on('upgrade', (res) => {
        const got = peerPin(res.socket as TLSSocket);
        const problem = pinProblem(got, pins);
        if (!problem) {
          this.connectedPin = got;
          return;
        }
        this.opts.log.error({ url }, problem);
        ws.terminate();
      });
    ws.on('open', () => this.onOpen());
    ws.on('message', (data: RawData) =>
      this.onFrame(
        Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8'),
      ),
    );
    ws.on('error', (err) => this.opts.log.warn({ err: err.message, url }, 'control plane connection error'));
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.session) this.opts.log.warn({ code }, 'control plane disconnected');
      this.session = false;
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.retry.schedule(() => this.connect());
    if (delay !== null) this.opts.log.debug({ delayMs: delay }, 'control plane reconnect scheduled');
  }

  private onOpen(): void {
    const credential = this.readCredential();
    if (credential) return this.hello(credential);
    const token = this.opts.controlPlane.enrollToken;
    if (!token) {
      this.opts.log.error(
        'no node credential in the state directory and no enrollment token: cannot authenticate to the control plane',
      );
      this.ws?.close();
      return;
    }
    this.send({ v: PROTOCOL_VERSION, type: 'enroll', node: this.opts.node, token, agentVersion: AGENT_VERSION });
  }

  private hello(credential: string): void {
    this.send(
      helloMessage({
        node: this.opts.node,
        credential,
        agentVersion: AGENT_VERSION,
        capabilities: [PIN_ROTATION_CAPABILITY, NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY, TLS_CAPABILITY],
        appliedRevision: this.opts.handlers.appliedRevision(),
        lastSeq: this.outbox.lastSeq,
      }),
    );
  }

  private onFrame(raw: string): void {
    const r = parseHubFrame(raw);
    if (!r.ok) {
      this.opts.log.warn({ code: r.reply.code, issues: r.issues }, 'hub frame refused');
      this.send(r.reply);
      return;
    }
    try {
      this.onMessage(r.message);
    } catch (err) {
      this.opts.log.error({ err, type: r.message.type }, 'hub message failed');
    }
  }

  private onMessage(m: HubMessage): void {
    switch (m.type) {
      case 'enrolled':
        writeCredential(this.opts.stateDir, this.opts.node, m.credential);
        this.opts.log.info({ node: m.node }, 'enrolled with the control plane');
        this.hello(m.credential);
        return;
      case 'welcome': {
        this.session = true;
        this.hubCapabilities = m.capabilities ?? [];
        this.buildReport.reset();
        this.retry.reset();
        this.opts.log.info({ serverVersion: m.serverVersion, ackedSeq: m.ackedSeq }, 'control plane session');
        if (m.ackedSeq !== null) this.outbox.ack(m.ackedSeq);
        // Replay what the hub has not acked, with the original timestamps.
        for (const e of this.outbox.pending()) this.send(e);
        this.sendHeartbeat();
        this.heartbeatTimer = setInterval(
          () => this.sendHeartbeat(),
          m.heartbeatIntervalMs || DEF_HEARTBEAT_INTERVAL_MS,
        );
        return;
      }
      case 'pins': {
        const problem = takeAnnouncedPins(this.opts.stateDir, this.connectedPin, m.pins);
        if (problem) this.opts.log.warn({ pins: m.pins }, `announced dashboard pins not taken: ${problem}`);
        else this.opts.log.info({ pins: m.pins }, 'dashboard pins updated: the next connection trusts these keys');
        return;
      }
      case 'ack':
        this.outbox.ack(m.seq);
        return;
      case 'config-push':
        this.applying = this.applying.then(async () => {
          let result: ApplyOutcome;
          try {
            result = await this.opts.handlers.applyRevision(m.revision, m.spec, m.tls);
          } catch (err) {
            result = {
              outcome: 'failed',
              stage: 'validate',
              message: (err as Error).message,
              nginxOutput: '',
              runningRevision: this.opts.handlers.appliedRevision(),
            };
          }
          this.emit({
            v: PROTOCOL_VERSION,
            type: 'apply-result',
            at: this.now(),
            revision: m.revision,
            ...result,
          } as NewOutboxEvent);
          this.sendHeartbeat();
        });
        return;
      case 'command':
        // In the same queue as revisions: a revision that reconciles the instances never runs
        // under a command, and added or restarted ones start from the persisted promote/maintenance.
        this.applying = this.applying.then(async () => {
          let result: CommandOutcome;
          try {
            result = await this.opts.handlers.command(m.command);
          } catch (err) {
            result = { outcome: 'failed', reason: (err as Error).message };
          }
          this.opts.log.info(
            { id: m.id, command: m.command, outcome: result.outcome, reason: result.reason },
            'command',
          );
          const reason = result.reason === undefined ? {} : { reason: result.reason.slice(0, 1024) };
          this.emit({
            v: PROTOCOL_VERSION,
            type: 'command-result',
            at: this.now(),
            id: m.id,
            outcome: result.outcome,
            ...reason,
          });
          // The hub shows progress from heartbeats (override, maintenance, role): report at once.
          this.sendHeartbeat();
        });
        return;
      case 'error':
        this.opts.log[m.code === 'unauthorized' ? 'error' : 'warn'](
          { code: m.code, message: m.message, ref: m.ref },
          'control plane error',
        );
        return;
    }
  }

  /** Sends a heartbeat soon (after a transition: the hub's rollout reads roles from heartbeats). */
  heartbeatSoon(): void {
    setImmediate(() => this.sendHeartbeat());
  }

  private sendHeartbeat(): void {
    if (!this.session) return;
    let live: ReturnType<ControlHandlers['heartbeat']>;
    try {
      live = this.opts.handlers.heartbeat();
    } catch (err) {
      this.opts.log.warn({ err }, 'heartbeat not built');
      return;
    }
    const hb = { v: PROTOCOL_VERSION, type: 'heartbeat', at: this.now(), ...live } as const;
    const appliedRevision = this.opts.handlers.appliedRevision();
    this.send(this.buildReport.fit({ ...hb, appliedRevision }, this.opts.nginxBuild?.current));
  }

  /** Closes the socket and writes the outbox to disk (STYLE §G36). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry.cancel();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.session = false;
    if (ws) {
      const closed = new Promise<void>((r) => ws.once('close', () => r()));
      ws.close(1001, 'agent stopping');
      await Promise.race([closed, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
      ws.terminate();
    }
    this.outbox.flush();
  }
}
