/**
 * Protocol-level simulated agents for the control-plane benchmarks: a WebSocket client that speaks
 * the real agent protocol (@keepwatch/shared encodeFrame/parseHubFrame, so every frame it sends
 * passes the same schemas as the real agent's), without nginx or VRRP behind it. It enrolls with a
 * one-time token, says hello, heartbeats on its own period (reporting a fixed role for one
 * instance), answers `config-push` with `apply-result applied` after an optional delay (then a
 * healthy check-result and a heartbeat, as the real agent does after an apply), answers commands,
 * and records when each push arrived. Many of them run in one process; `harnessUsage` tells what
 * they cost that process.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  encodeFrame,
  helloMessage,
  parseHubFrame,
  PROTOCOL_VERSION,
  type AgentMessage,
  type HubMessage,
} from '@keepwatch/shared';

export type SimRole = 'master' | 'backup';

export interface SimAgentOptions {
  /** ws://host:port/agent */
  url: string;
  node: string;
  enrollToken: string;
  instance: string;
  vrid: number;
  role: SimRole;
  heartbeatMs: number;
  /** Simulated apply time (nginx -t + reload) before the apply-result. */
  applyDelayMs?: number;
}

/** One push as the simulated agent saw it (times: Date.now() of this process). */
export interface PushSeen {
  revision: number;
  receivedAt: number;
  /** When the apply-result was sent. */
  appliedAt: number | null;
  /** The apply-result's seq, and when the hub's ack for it arrived (the hub acks once it is stored). */
  applySeq: number | null;
  ackedAt: number | null;
}

export class SimAgent {
  private ws: WebSocket | null = null;
  private seq = 0;
  private appliedRevision: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly since = Date.now();
  readonly pushes: PushSeen[] = [];
  acked = 0;
  heartbeatsSent = 0;
  errors: string[] = [];
  session = false;

  constructor(readonly opts: SimAgentOptions) {}

  /** Handshakes that had to be tried again (refused, e.g. the hub's handshake timeout under load). */
  retries = 0;
  private credential: string | null = null;

  /**
   * Connects, enrolls (or says hello with the credential from an earlier try), resolves at
   * `welcome`. A refused or dropped handshake is tried again after a random 1-3 s, as the real
   * agent reconnects with backoff, up to `attempts` times.
   */
  async start(opts: { timeoutMs?: number; attempts?: number } = {}): Promise<void> {
    const attempts = opts.attempts ?? 20;
    for (let i = 1; ; i++) {
      try {
        await this.connectOnce(opts.timeoutMs ?? 30_000);
        return;
      } catch (e) {
        this.ws?.terminate();
        if (i >= attempts) throw e;
        this.retries++;
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
      }
    }
  }

  private connectOnce(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.opts.url, { perMessageDeflate: false });
      this.ws = ws;
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(new Error(`${this.opts.node}: ${why}`));
      };
      const deadline = setTimeout(
        () => fail(`no welcome within ${timeoutMs} ms (${this.errors.join('; ')})`),
        timeoutMs,
      );
      ws.on('open', () => {
        if (this.credential) this.hello(this.credential);
        else
          this.send({
            v: PROTOCOL_VERSION,
            type: 'enroll',
            node: this.opts.node,
            token: this.opts.enrollToken,
            agentVersion: '0.1.0-sim',
          });
      });
      ws.on('error', (err) => this.errors.push(err.message));
      ws.on('close', (code) => {
        this.session = false;
        this.stopHeartbeats();
        if (code !== 1000 && code !== 1001) this.errors.push(`closed ${code}`);
        fail(`closed ${code} before welcome`);
      });
      ws.on('message', (data: WebSocket.RawData) => {
        const r = parseHubFrame(
          Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
        );
        if (!r.ok) {
          this.errors.push(`bad hub frame: ${r.reply.message}`);
          return;
        }
        const m = r.message;
        if (m.type === 'welcome') {
          settled = true;
          clearTimeout(deadline);
          this.session = true;
          this.onMessage(m);
          resolve();
        } else if (m.type === 'error' && m.code === 'unauthorized') {
          this.errors.push(m.message);
          fail(m.message);
        } else this.onMessage(m);
      });
    });
  }

  private hello(credential: string): void {
    this.send(
      helloMessage({
        node: this.opts.node,
        credential,
        agentVersion: '0.1.0-sim',
        appliedRevision: this.appliedRevision,
        lastSeq: this.seq === 0 ? null : this.seq,
      }),
    );
  }

  private send(m: AgentMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(m));
  }

  private onMessage(m: HubMessage): void {
    switch (m.type) {
      case 'enrolled':
        this.credential = m.credential;
        this.hello(m.credential);
        return;
      case 'welcome':
        // As the real agent: a heartbeat at once, then on the period — started at a random phase
        // so a thousand agents do not beat in step.
        this.heartbeat();
        this.startTimer = setTimeout(() => {
          this.startTimer = null;
          this.heartbeat();
          this.timer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
        }, Math.random() * this.opts.heartbeatMs);
        return;
      case 'config-push': {
        const seen: PushSeen = {
          revision: m.revision,
          receivedAt: Date.now(),
          appliedAt: null,
          applySeq: null,
          ackedAt: null,
        };
        this.pushes.push(seen);
        const apply = () => {
          this.appliedRevision = m.revision;
          seen.appliedAt = Date.now();
          seen.applySeq = ++this.seq;
          this.send({
            v: PROTOCOL_VERSION,
            type: 'apply-result',
            seq: seen.applySeq,
            at: seen.appliedAt,
            revision: m.revision,
            outcome: 'applied',
          });
          this.send({
            v: PROTOCOL_VERSION,
            type: 'check-result',
            seq: ++this.seq,
            at: Date.now(),
            check: 'check_nginx',
            ok: true,
            status: 'healthy',
            durationMs: 0,
            exitCode: null,
            timedOut: false,
            output: '',
          });
          this.heartbeat();
        };
        if (this.opts.applyDelayMs) setTimeout(apply, this.opts.applyDelayMs);
        else apply();
        return;
      }
      case 'ack': {
        this.acked = Math.max(this.acked, m.seq);
        const now = Date.now();
        for (const p of this.pushes)
          if (p.applySeq !== null && p.ackedAt === null && p.applySeq <= m.seq) p.ackedAt = now;
        return;
      }
      case 'command':
        this.send({
          v: PROTOCOL_VERSION,
          type: 'command-result',
          seq: ++this.seq,
          at: Date.now(),
          id: m.id,
          outcome: 'done',
        });
        return;
      case 'error':
        this.errors.push(`${m.code}: ${m.message}`);
        return;
    }
  }

  private heartbeat(): void {
    if (!this.session) return;
    this.heartbeatsSent++;
    const master = this.opts.role === 'master';
    this.send({
      v: PROTOCOL_VERSION,
      type: 'heartbeat',
      at: Date.now(),
      appliedRevision: this.appliedRevision,
      maintenance: false,
      nginx: { running: true, pid: 4242 },
      instances: [
        {
          instance: this.opts.instance,
          vrid: this.opts.vrid,
          state: this.opts.role,
          basePriority: master ? 100 : 80,
          effectivePriority: master ? 100 : 80,
          holdsVips: master,
          since: this.since,
          override: 'none',
        },
      ],
    });
  }

  private stopHeartbeats(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.startTimer) clearTimeout(this.startTimer);
    this.timer = null;
    this.startTimer = null;
  }

  async stop(): Promise<void> {
    this.stopHeartbeats();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.close(1001, 'sim agent stopping');
    await Promise.race([closed, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
    ws.terminate();
  }
}

/** Starts `n` things with at most `concurrency` in flight (enrollment of a fleet). */
export async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** This process's own CPU and event-loop delay over a window: what the simulated fleet cost. */
export function harnessMeter(): {
  stop(): { cpuSeconds: number; cores: number; loopDelayP99Ms: number; loopDelayMaxMs: number };
} {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      h.disable();
      const c = process.cpuUsage(c0);
      const cpuSeconds = (c.user + c.system) / 1e6;
      return {
        cpuSeconds: round(cpuSeconds, 2),
        cores: round(cpuSeconds / ((performance.now() - t0) / 1000), 3),
        loopDelayP99Ms: round(h.percentile(99) / 1e6, 1),
        loopDelayMaxMs: round(h.max / 1e6, 1),
      };
    },
  };
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
