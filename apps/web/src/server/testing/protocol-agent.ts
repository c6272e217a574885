/** A protocol-level agent for hub tests: speaks the agent side of the protocol by hand. */
import { WebSocket } from 'ws';
import type { HubMessage } from '@keepwatch/shared';
import { afterAll, beforeAll } from 'vitest';
import { createApiWithCluster, type Api } from './api';
import type { AgentHub } from '../hub/hub';
import { serveHub, type HubServer } from './hub-server';

/**
 * A protocol-level agent: sends frames and keeps every frame the hub sends, in order. `next` takes
 * the first frame of a type not yet taken; `until` finds one without taking it.
 */
export class ProtocolAgent {
  readonly frames: HubMessage[] = [];
  private waiters: (() => void)[] = [];
  /** The close code once the hub closed the socket. */
  closed: number | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(String(d)) as HubMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async connect(url: string): Promise<ProtocolAgent> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ProtocolAgent(ws);
  }
  /** Sends `m` as JSON (a string as it is: a malformed frame). */
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  /** Waits (bounded) for the first frame of `type` not yet taken, and takes it. */
  async next<T extends HubMessage['type']>(type: T, timeoutMs = 15_000): Promise<Extract<HubMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<HubMessage, { type: T }>;
      if (Date.now() > deadline)
        throw new Error(
          `no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}, closed ${this.closed}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  close(): void {
    this.ws.close();
  }
  /** Waits (bounded: 15 s, polled every 50 ms) for a frame matching `p`. */
  async until(what: string, p: (f: HubMessage) => boolean): Promise<HubMessage> {
    for (let i = 0; i < 300; i++) {
      const f = this.frames.find(p);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${what} within 15 s; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
  }
  pushes(): number[] {
    return this.frames.flatMap((f) => (f.type === 'config-push' ? [f.revision] : []));
  }
}

/** Enrolls `node` with a one-time token from the API, on a socket of its own; resolves with the node's credential. */
export async function enrollAgent(
  api: Api,
  url: string,
  o: { nodeId: string; node: string; agentVersion: string },
): Promise<string> {
  const { token } = await api.admin.nodes.issueEnrollToken({ id: o.nodeId });
  const e = await ProtocolAgent.connect(url);
  e.send({ v: 1, type: 'enroll', node: o.node, token, agentVersion: o.agentVersion });
  const enrolled = await e.until('enrolled', (f) => f.type === 'enrolled');
  e.ws.close();
  return (enrolled as Extract<HubMessage, { type: 'enrolled' }>).credential;
}

/**
 * Enrolls `node` with a one-time token from the API, then says hello on a new socket as an agent of
 * release `agentVersion` running `appliedRevision`; resolves once welcomed.
 */
export async function connectAgent(
  api: Api,
  url: string,
  o: { nodeId: string; node: string; agentVersion: string; appliedRevision: number | null },
): Promise<ProtocolAgent> {
  const credential = await enrollAgent(api, url, o);
  const a = await ProtocolAgent.connect(url);
  a.send({
    v: 1,
    type: 'hello',
    node: o.node,
    credential,
    agentVersion: o.agentVersion,
    capabilities: [],
    appliedRevision: o.appliedRevision,
    lastSeq: null,
  });
  await a.until('welcome', (f) => f.type === 'welcome');
  return a;
}

/** A hub served over HTTP beside the reference cluster, for the surrounding describe. */
export interface HubSuite {
  api: Api;
  clusterId: string;
  nodeIds: Record<string, string>;
  hub: AgentHub;
  /** The agent endpoint: ws://127.0.0.1:<port>/agent. */
  url: string;
  /** Enrolls `node` and says hello as an agent of release `agentVersion` running `appliedRevision`. */
  connect(node: string, agentVersion: string, appliedRevision: number | null): Promise<ProtocolAgent>;
}

/**
 * Gives the surrounding describe the reference cluster and a hub on it (fast heartbeats and rollout
 * polling); its agents, the hub and the database are closed after the last test.
 */
export function hubSuite(o: { missedHeartbeats?: number } = {}): HubSuite {
  const agents: ProtocolAgent[] = [];
  let server: HubServer | undefined;
  const suite = {
    connect: async (node: string, agentVersion: string, appliedRevision: number | null) => {
      const a = await connectAgent(suite.api, suite.url, {
        nodeId: suite.nodeIds[node]!,
        node,
        agentVersion,
        appliedRevision,
      });
      agents.push(a);
      return a;
    },
  } as HubSuite;
  beforeAll(async () => {
    ({ api: suite.api, clusterId: suite.clusterId, nodeIds: suite.nodeIds } = await createApiWithCluster());
    server = await serveHub({
      db: suite.api.db.prisma,
      heartbeatIntervalMs: 200,
      missedHeartbeats: o.missedHeartbeats ?? 5,
      rolloutPollMs: 100,
    });
    ({ hub: suite.hub, url: suite.url } = server);
  });
  afterAll(async () => {
    for (const a of agents) a.ws.close();
    await server?.close();
    await suite.api?.close();
  });
  return suite;
}
