import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiWithCluster, type Api } from '../testing/api';
import { serveHub, type HubServer } from '../testing/hub-server';
import { createMetrics } from '../metrics';

type Frame = { type: string; code?: string; message?: string };

/**
 * Opens a socket, sends `frames`, and resolves with the frames received and the close code once
 * the hub closes it or `until` holds — bounded by `timeoutMs`, after which it is cut.
 */
async function exchange(
  url: string,
  frames: unknown[],
  timeoutMs = 5000,
  until: (got: Frame[]) => boolean = () => false,
): Promise<{ frames: Frame[]; closed: number | null }> {
  const ws = new WebSocket(url);
  const got: Frame[] = [];
  let closed: number | null = null;
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let enough: () => void = () => {};
  const reached = new Promise<void>((r) => (enough = r));
  ws.on('message', (d) => {
    got.push(JSON.parse(String(d)) as Frame);
    if (until(got)) enough();
  });
  const done = new Promise<void>((r) => ws.on('close', (code) => ((closed = code), r())));
  for (const f of frames) ws.send(JSON.stringify(f));
  await Promise.race([done, reached, new Promise((r) => setTimeout(r, timeoutMs))]);
  if (closed === null) ws.terminate();
  return { frames: got, closed };
}

describe('agent hub: unauthenticated connections', () => {
  let api: Api;
  let server: HubServer | undefined;
  let url: string;
  const metrics = createMetrics();
  let nodeIds: Record<string, string>;

  beforeAll(async () => {
    ({ api, nodeIds } = await createApiWithCluster());
    server = await serveHub({
      db: api.db.prisma,
      metrics,
      handshakeTimeoutMs: 300,
      authLimits: { windowMs: 60_000, perUser: 3, perAddress: 3 },
    });
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await api?.close();
  });

  const failures = async (reason: string) =>
    (await metrics.agentAuthFailures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  it('records an enrollment in the audit log, with the agent as actor and its source address', async () => {
    const { token } = await api.admin.nodes.issueEnrollToken({ id: nodeIds.LVS_1! });
    const r = await exchange(
      url,
      [{ v: 1, type: 'enroll', node: 'LVS_1', token, agentVersion: '0.1.0' }],
      5000,
      (got) => got.some((f) => f.type === 'enrolled'),
    );
    expect(r.frames.map((f) => f.type)).toContain('enrolled');
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'node.enroll' } });
    expect(audit).toMatchObject({
      actor: 'system:agent:LVS_1',
      targetType: 'node',
      targetId: nodeIds.LVS_1,
      sourceAddress: '127.0.0.1',
      after: { node: 'LVS_1', agentVersion: '0.1.0' },
    });
    const node = await api.db.prisma.node.findUniqueOrThrow({ where: { id: nodeIds.LVS_1! } });
    expect(node.credentialHash).not.toBeNull();
  });

  it('closes a connection that does not say hello within the handshake timeout, with an error naming it', async () => {
    const before = await failures('handshake-timeout');
    const r = await exchange(url, [], 3000);
    expect(r.closed).toBe(1008);
    expect(r.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'unauthorized', message: 'no hello within 300 ms' }),
    ]);
    expect(await failures('handshake-timeout')).toBe(before + 1);
  });

  it('refuses further attempts from an address after too many refused ones, without looking at the token', async () => {
    // The earlier test's handshake timeout was slowness, not guessing: it does not count. Three
    // wrong tokens fill the window (limit 3).
    for (let i = 0; i < 3; i++) {
      const r = await exchange(url, [
        { v: 1, type: 'enroll', node: 'LVS_2', token: `kwe_wrong_token_${i}_xxxxxxxxxxxxxxxx`, agentVersion: '0.1.0' },
      ]);
      expect(r.frames[0]).toMatchObject({
        type: 'error',
        code: 'unauthorized',
        message: expect.stringMatching(/not valid/),
      });
    }
    const { token } = await api.admin.nodes.issueEnrollToken({ id: nodeIds.LVS_2! });
    const r = await exchange(url, [{ v: 1, type: 'enroll', node: 'LVS_2', token, agentVersion: '0.1.0' }]);
    expect(r.closed).toBe(1008);
    expect(r.frames[0]).toMatchObject({
      type: 'error',
      code: 'unauthorized',
      message: expect.stringMatching(/^too many refused attempts from this address; retry in \d+ s$/),
    });
    // The valid token was not consumed: it still works once the address may try again.
    expect((await api.db.prisma.node.findUniqueOrThrow({ where: { id: nodeIds.LVS_2! } })).credentialHash).toBeNull();
    expect(await failures('rate-limited')).toBeGreaterThan(0);
    // Another node behind the same address (a proxy, a NAT) is not locked out by LVS_2's failures.
    const other = await api.admin.nodes.issueEnrollToken({ id: nodeIds.LVS_1! });
    const ok = await exchange(url, [
      { v: 1, type: 'enroll', node: 'LVS_1', token: other.token, agentVersion: '0.1.0' },
    ]);
    expect(ok.frames[0]).toMatchObject({ type: 'enrolled' });
  });
});
