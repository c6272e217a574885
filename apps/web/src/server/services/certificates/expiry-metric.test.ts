import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneEnv, serveControlPlane, type ControlPlaneServer } from '../../testing/control-plane-server';
import { inTransaction } from '../../routers/util';
import { uploadCertificate } from './store';
import { makeTestPki } from './test-pki';

/** Issue #17 item 1: a stored certificate's expiry is on the dashboard's /metrics, read at scrape time. */
describe('the certificate expiry metric', () => {
  let server: ControlPlaneServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await controlPlaneEnv();
    drop = db.drop;
    server = await serveControlPlane(db.env);
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('gives the notAfter of each stored certificate as Unix seconds, labelled by cluster and name', async () => {
    const { cp, base } = server!;
    const pki = makeTestPki();
    const cluster = await cp.db.prisma.cluster.create({ data: { name: 'edge' } });
    await inTransaction(cp.db.prisma, (tx) =>
      uploadCertificate(
        tx,
        { kind: 'system', name: 'test', sourceAddress: null },
        {
          clusterId: cluster.id,
          name: 'www',
          certificate: pki.leafPem,
          key: pki.leafKey,
          chain: pki.intermediatePem,
        },
      ),
    );
    const text = await (await fetch(`${base}/metrics`)).text();
    const notAfter = Math.floor(new Date(new X509Certificate(pki.leafPem).validTo).getTime() / 1000);
    expect(text).toContain(`keepwatch_certificate_expiry_seconds{cluster="edge",certificate="www"} ${notAfter}`);
  });
});
