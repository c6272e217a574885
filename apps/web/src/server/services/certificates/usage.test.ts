import { beforeAll, describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, trpcError } from '../../testing/api';
import { makeTestPki, type TestPki } from './test-pki';

/**
 * Issue #17: a virtual server's TLS names a certificate of its cluster. A spec naming one the
 * cluster lacks is refused at commit; a certificate in use is not deleted; new content under the
 * same name commits a revision so the rollout takes it to every node.
 */
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('certificates used by virtual servers', () => {
  const s = apiWithClusterForSuite();
  const vs = (certificate: string) => ({
    name: 'tls-site',
    listen: [{ port: 443, ssl: true }],
    locations: [{ path: '/', pool: 'webs' }],
    tls: { certificate },
  });
  const upload = (name: string) =>
    s.api.admin.certificates.upload({
      clusterId: s.clusterId,
      name,
      certificate: pki.leafPem,
      key: pki.leafKey,
      chain: pki.intermediatePem,
    });

  it('refuses a virtual server naming a certificate the cluster does not have, naming the spec field', async () => {
    const e = await trpcError(s.api.admin.virtualServers.create({ clusterId: s.clusterId, virtualServer: vs('nope') }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(
      /^spec\.virtualServers\.\d+\.tls\.certificate: .*"nope", which this cluster does not have/,
    );
  });

  it('refuses to delete a certificate in use, naming the virtual server', async () => {
    const c = await upload('www');
    await s.api.admin.virtualServers.create({ clusterId: s.clusterId, virtualServer: vs('www') });
    const e = await trpcError(s.api.admin.certificates.delete({ id: c.id }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/used by virtual server "tls-site"/);
  });

  it('a replacement under the same name commits a revision "certificate www renewed"', async () => {
    const [c] = await s.api.viewer.certificates.list({ clusterId: s.clusterId });
    const r = await s.api.admin.certificates.replace({
      id: c!.id,
      certificate: pki.cnOnlyPem,
      key: pki.cnOnlyKey,
    });
    expect(r.names).toEqual(['cn-only.example.test']);
    expect(r.revision).not.toBeNull();
    const rev = await s.api.viewer.clusters.revision({ clusterId: s.clusterId, number: r.revision! });
    expect(rev.summary).toBe('certificate www renewed');
  });

  it('a replacement of a certificate nothing uses commits no revision', async () => {
    const c = await upload('spare');
    const r = await s.api.admin.certificates.replace({ id: c.id, certificate: pki.leafPem, key: pki.leafKey });
    expect(r.revision).toBeNull();
  });
});
