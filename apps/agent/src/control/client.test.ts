import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { pino } from 'pino';
import type { AgentMessage, ClusterSpec, Command, HubMessage } from '@keepwatch/shared';
import { sampleTransition } from '@keepwatch/shared/testing';
import { ControlClient, type ApplyOutcome } from './client.js';

const log = pino({ level: 'silent' });
const TOKEN = 'kwe_abcdefghijklmnopqrstuvwxyz';
const CREDENTIAL = 'kwc_0123456789abcdefghijklmnop';
const SPEC = {
  name: 'c',
  nodes: [{ name: 'lb1', addresses: [], interfaces: ['eth0'] }],
  vrrpInstances: [],
  checks: [],
  pools: [],
  virtualServers: [],
} as unknown as ClusterSpec;

/** A scripted hub on a unix socket: records what the agent sends, answers enroll and hello. */
class ScriptedHub {
  readonly received: AgentMessage[] = [];
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  socket: WebSocket | null = null;
  /** Ack events as they arrive. */
  ack = true;
  constructor(readonly path: string) {}

  async listen(): Promise<void> {
    this.server = createServer();
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as AgentMessage;
        this.received.push(m);
        if (m.type === 'enroll') this.send({ v: 1, type: 'enrolled', node: m.node, credential: CREDENTIAL });
        if (m.type === 'hello')
          this.send({
            v: 1,
            type: 'welcome',
            node: m.node,
            serverVersion: 't',
            heartbeatIntervalMs: 60_000,
            ackedSeq: null,
          });
        if ('seq' in m && this.ack) this.send({ v: 1, type: 'ack', seq: m.seq });
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.path, () => r()));
  }

  send(m: HubMessage): void {
    this.socket?.send(JSON.stringify(m));
  }

  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
    this.wss = null;
    this.socket = null;
  }

  of<T extends AgentMessage['type']>(type: T): Extract<AgentMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<AgentMessage, { type: T }> => m.type === type);
  }
}

/** Bounded poll (the client runs on real sockets; no fixed sleeps). */
async function until(f: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ControlClient', () => {
  let dir: string;
  let hub: ScriptedHub;
  let client: ControlClient | null = null;
  let applied: number | null = null;
  const pushes: number[] = [];
  const commands: Command[] = [];

  const makeClient = (enrollToken?: string) =>
    new ControlClient({
      controlPlane: { url: `ws+unix://${join(dir, 'hub.sock')}:/agent`, ...(enrollToken ? { enrollToken } : {}) },
      node: 'lb1',
      stateDir: join(dir, 'state'),
      log,
      rng: () => 0.99, // shortest jitter: reconnects after ~255 ms
      handlers: {
        applyRevision: async (revision): Promise<ApplyOutcome> => {
          pushes.push(revision);
          if (revision === 13)
            return {
              outcome: 'failed',
              stage: 'test',
              message: 'nginx -t failed',
              nginxOutput: 'nginx: [emerg] x',
              runningRevision: applied,
            };
          applied = revision;
          return { outcome: 'applied' };
        },
        appliedRevision: () => applied,
        heartbeat: () => ({
          maintenance: commands.some((c) => c.kind === 'maintenance' && c.enabled),
          nginx: { running: true, pid: 1 },
          instances: [],
        }),
        command: async (c) => {
          commands.push(c);
          if (c.kind === 'promote' && c.instance === 'VI_X')
            return { outcome: 'refused', reason: 'unknown-instance: no instance "VI_X" runs on this node' };
          if (c.kind === 'release') throw new Error('runner exploded');
          return { outcome: 'done' };
        },
      },
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-client-'));
    hub = new ScriptedHub(join(dir, 'hub.sock'));
    applied = null;
    pushes.length = 0;
    commands.length = 0;
  });
  afterEach(async () => {
    await client?.stop();
    client = null;
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls once with the token, keeps the credential (0600) and says hello with it', async () => {
    await hub.listen();
    client = makeClient(TOKEN);
    client.start();
    await until(() => client!.connected, 'the session');
    expect(hub.of('enroll')).toEqual([expect.objectContaining({ node: 'lb1', token: TOKEN })]);
    expect(hub.of('hello')).toEqual([
      expect.objectContaining({ node: 'lb1', credential: CREDENTIAL, appliedRevision: null }),
    ]);
    const file = join(dir, 'state', 'credential.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ node: 'lb1', credential: CREDENTIAL });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A reconnect uses the credential, never the token again.
    await hub.close();
    await hub.listen();
    await until(() => hub.of('hello').length === 2, 'the second hello');
    expect(hub.of('enroll')).toHaveLength(1);
  });

  it("applies a pushed revision and reports applied, or failed with nginx's output", async () => {
    await hub.listen();
    client = makeClient(TOKEN);
    client.start();
    await until(() => client!.connected, 'the session');
    hub.send({ v: 1, type: 'config-push', revision: 12, spec: SPEC });
    hub.send({ v: 1, type: 'config-push', revision: 13, spec: SPEC });
    await until(() => hub.of('apply-result').length === 2, 'two apply results');
    expect(hub.of('apply-result')).toEqual([
      expect.objectContaining({ revision: 12, outcome: 'applied' }),
      expect.objectContaining({
        revision: 13,
        outcome: 'failed',
        stage: 'test',
        nginxOutput: 'nginx: [emerg] x',
        runningRevision: 12,
      }),
    ]);
  });

  it('hands commands to the agent in order and answers each with a command-result carrying its id and reason', async () => {
    await hub.listen();
    client = makeClient(TOKEN);
    client.start();
    await until(() => client!.connected, 'the session');
    const heartbeatsBefore = hub.of('heartbeat').length;
    hub.send({ v: 1, type: 'command', id: 'c-1', at: 1, command: { kind: 'promote', instance: 'VI_1' } });
    hub.send({ v: 1, type: 'command', id: 'c-2', at: 2, command: { kind: 'promote', instance: 'VI_X' } });
    hub.send({ v: 1, type: 'command', id: 'c-3', at: 3, command: { kind: 'release', instance: 'VI_1' } });
    hub.send({ v: 1, type: 'command', id: 'c-4', at: 4, command: { kind: 'maintenance', enabled: true } });
    await until(() => hub.of('command-result').length === 4, 'four command results');
    expect(commands).toEqual([
      { kind: 'promote', instance: 'VI_1' },
      { kind: 'promote', instance: 'VI_X' },
      { kind: 'release', instance: 'VI_1' },
      { kind: 'maintenance', enabled: true },
    ]);
    expect(hub.of('command-result').map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['c-1', 'done', undefined],
      ['c-2', 'refused', 'unknown-instance: no instance "VI_X" runs on this node'],
      ['c-3', 'failed', 'runner exploded'],
      ['c-4', 'done', undefined],
    ]);
    // Each result is an outbox event (numbered, replayable), followed by a fresh heartbeat.
    expect(hub.of('command-result').every((r) => r.seq > 0)).toBe(true);
    await until(() => hub.of('heartbeat').length >= heartbeatsBefore + 4, 'heartbeats after the commands');
    expect(hub.of('heartbeat').at(-1)).toMatchObject({ maintenance: true });
  });

  it('buffers events while the hub is away and replays the unacked ones with their original timestamps', async () => {
    await hub.listen();
    client = makeClient(TOKEN);
    client.start();
    await until(() => client!.connected, 'the session');
    client.emit(sampleTransition({ at: 1000, from: 'initialize', to: 'backup', reason: 'startup' }));
    await until(() => hub.of('state-transition').length === 1, 'the first transition');
    await hub.close();
    await until(() => !client!.connected, 'the disconnect');
    client.emit(sampleTransition({ at: 2000 }));
    client.emit(sampleTransition({ at: 3000, from: 'master', to: 'backup', reason: 'higher-priority-advert' }));
    await hub.listen();
    await until(() => hub.of('state-transition').length === 3, 'the replay');
    // The acked first event is not sent again; the two buffered ones keep their times and order.
    expect(hub.of('state-transition').map((t) => [t.seq, t.at])).toEqual([
      [1, 1000],
      [2, 2000],
      [3, 3000],
    ]);
  });

  it('writes unacked events to disk at stop, and a new client replays them', async () => {
    await hub.listen();
    hub.ack = false;
    client = makeClient(TOKEN);
    client.start();
    await until(() => client!.connected, 'the session');
    client.emit(sampleTransition({ at: 4242, priority: 90 }));
    await until(() => hub.of('state-transition').length === 1, 'the transition');
    await client.stop();
    hub.ack = true;
    client = makeClient();
    client.start();
    await until(() => hub.of('state-transition').length === 2, 'the replay after restart');
    expect(hub.of('state-transition')[1]).toMatchObject({ seq: 1, at: 4242 });
    expect(hub.of('hello').at(-1)).toMatchObject({ lastSeq: 1 });
  });
});
