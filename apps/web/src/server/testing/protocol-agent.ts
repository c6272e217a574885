/** A protocol-level agent for hub tests: speaks the agent side of the protocol by hand. */
import { WebSocket } from 'ws';
import type { HubMessage } from '@keepwatch/shared';
import type { Api } from './api';

/** A protocol-level agent that keeps every frame the hub sends, in order. */
export class ProtocolAgent {
  readonly frames: HubMessage[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(String(d)) as HubMessage));
  }
  static async connect(url: string): Promise<ProtocolAgent> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ProtocolAgent(ws);
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
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

/**
 * Enrolls `node` with a one-time token from the API, then says hello on a new socket as an agent of
 * release `agentVersion` running `appliedRevision`; resolves once welcomed.
 */
export async function connectAgent(
  api: Api,
  url: string,
  o: { nodeId: string; node: string; agentVersion: string; appliedRevision: number | null },
): Promise<ProtocolAgent> {
  const { token } = await api.admin.nodes.issueEnrollToken({ id: o.nodeId });
  const e = await ProtocolAgent.connect(url);
  e.send({ v: 1, type: 'enroll', node: o.node, token, agentVersion: o.agentVersion });
  const enrolled = await e.until('enrolled', (f) => f.type === 'enrolled');
  e.ws.close();
  const a = await ProtocolAgent.connect(url);
  const credential = (enrolled as Extract<HubMessage, { type: 'enrolled' }>).credential;
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
