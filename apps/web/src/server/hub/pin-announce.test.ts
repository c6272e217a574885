import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiWithCluster, type Api } from '../testing/api';
import { serveHub, type HubServer } from '../testing/hub-server';

const PINS = [`sha256/${'A'.repeat(43)}=`, `sha256/${'B'.repeat(43)}=`];

/** Says hello as LVS_1 with `capabilities` and resolves with the frame types up to the first config-push. */
async function framesUntilPush(url: string, credential: string, capabilities: string[]): Promise<unknown[]> {
  const ws = new WebSocket(url);
  const got: { type: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pushed = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      got.push(JSON.parse(String(d)) as { type: string });
      if (got.at(-1)?.type === 'config-push') resolve();
    }),
  );
  ws.send(
    JSON.stringify({
      v: 1,
      type: 'hello',
      node: 'LVS_1',
      credential,
      agentVersion: '0.3.0',
      capabilities,
      appliedRevision: null,
      lastSeq: null,
    }),
  );
  await Promise.race([pushed, new Promise((r) => setTimeout(r, 5000))]);
  ws.terminate();
  return got;
}

describe('agent hub: dashboard key pins announced for certificate rotation (KEEPWATCH_AGENT_PINS)', () => {
  let api: Api;
  let server: HubServer | undefined;
  const credential = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    const s = await createApiWithCluster();
    api = s.api;
    await api.db.prisma.node.update({
      where: { id: s.nodeIds.LVS_1! },
      data: { credentialHash: createHash('sha256').update(credential).digest('hex') },
    });
    server = await serveHub({ db: api.db.prisma, agentPins: PINS });
  });
  afterAll(async () => {
    await server?.close();
    await api?.close();
  });

  it('sends the pins right after welcome to an agent that takes them', async () => {
    const got = await framesUntilPush(server!.url, credential, ['pin-rotation']);
    expect(got.slice(0, 2)).toEqual([expect.objectContaining({ type: 'welcome' }), { v: 1, type: 'pins', pins: PINS }]);
  });

  it('sends none to an agent without the capability (an older agent would refuse the frame)', async () => {
    const got = (await framesUntilPush(server!.url, credential, [])) as { type: string }[];
    expect(got.map((f) => f.type)).toContain('config-push');
    expect(got.map((f) => f.type)).not.toContain('pins');
  });
});
