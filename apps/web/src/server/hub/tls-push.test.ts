import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloMessage, TLS_CAPABILITY } from '@keepwatch/shared';
import { makeTestPki, type TestPki } from '../services/certificates/test-pki';
import { enrollAgent, hubSuite, ProtocolAgent } from '../testing/protocol-agent';

/**
 * Issue #17: a revision whose virtual servers use certificates is pushed with them (leaf + chain,
 * the key, the fingerprint) to agents announcing `tls`; an older agent's deployment fails with a
 * message naming the node instead of a push it would half-apply.
 */
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('hub: certificates in the config push', () => {
  const suite = hubSuite();
  const agents: ProtocolAgent[] = [];
  afterAll(() => {
    for (const a of agents) a.close();
  });
  const hello = async (node: string, capabilities: string[]) => {
    const credential = await enrollAgent(suite.api, suite.url, {
      nodeId: suite.nodeIds[node]!,
      node,
      agentVersion: '0.2.0',
    });
    const a = await ProtocolAgent.connect(suite.url);
    agents.push(a);
    a.send(
      helloMessage({ node, credential, agentVersion: '0.2.0', capabilities, appliedRevision: null, lastSeq: null }),
    );
    return a;
  };

  let revision = 0;
  beforeAll(async () => {
    const { api, clusterId } = suite;
    await api.admin.certificates.upload({
      clusterId,
      name: 'www',
      certificate: pki.leafPem,
      key: pki.leafKey,
      chain: pki.intermediatePem,
    });
    const r = await api.admin.virtualServers.create({
      clusterId,
      virtualServer: {
        name: 'tls-site',
        listen: [{ port: 443, ssl: true }],
        locations: [{ path: '/', pool: 'webs' }],
        tls: { certificate: 'www' },
      },
    });
    revision = r.revision!;
  });

  it('pushes the certificate chain, its key and fingerprint to an agent with the tls capability', async () => {
    const a = await hello('LVS_1', [TLS_CAPABILITY]);
    const push = await a.next('config-push');
    expect(push.revision).toBe(revision);
    expect(push.tls?.certificates).toHaveLength(1);
    const c = push.tls!.certificates[0]!;
    expect(c.name).toBe('www');
    expect(c.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.certificatePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(c.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("fails an older agent's deployment with a message naming the node, and pushes it nothing", async () => {
    const a = await hello('LVS_2', []);
    await a.next('welcome');
    for (let i = 0; i < 100; i++) {
      const d = await suite.api.db.prisma.deployment.findFirst({
        where: { nodeId: suite.nodeIds.LVS_2!, status: 'failed', revision: { number: revision } },
      });
      if (d) {
        expect(d.message).toMatch(/node "LVS_2" runs an agent without TLS support/);
        expect(a.pushes()).toEqual([]);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no failed deployment for LVS_2 within 5 s');
  });
});
