import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { apiWithClusterForSuite } from '../../../testing/api';
import { specSecretKey } from '../../spec-secrets';
import type { Actor } from '../../types';
import { makeTestPki, type TestPki } from '../test-pki';
import { createAcmeAccount, openAcmeAccount } from './account';
import { ORDER_ATTEMPTS, orderCertificate, requestAcmeCertificate, type OrderFn } from './order';
import { AcmeRenewer } from './renewer';

/**
 * Issue #17 item 2 on the dashboard's side, with the CA replaced by functions (the lab test
 * tests/web/acme-pebble.int.test.ts orders from pebble): the account and its revision, orders
 * stored with a revision, the CA's error kept on the row, renewal when due.
 */
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
const actor: Actor = { kind: 'system', name: 'test', sourceAddress: null };

describe('ACME certificates', () => {
  const s = apiWithClusterForSuite();
  const key = () => specSecretKey();
  const db = () => s.api.db.prisma;
  const issued: OrderFn = async () => ({ pem: pki.leafPem + pki.intermediatePem, keyPem: pki.leafKey });
  const refused: OrderFn = async () => {
    throw new Error('Fetching http://www.example.test/.well-known/acme-challenge/x: Connection refused');
  };

  it('creating the account stores its key sealed and commits a revision, so the nodes get the thumbprint', async () => {
    const a = await createAcmeAccount(
      db(),
      actor,
      { clusterId: s.clusterId, directoryUrl: 'https://ca.example.test/dir', email: 'ops@example.test' },
      { secretKey: key(), register: async () => 'https://ca.example.test/acct/1' },
    );
    expect(a.thumbprint).toMatch(/^[-_A-Za-z0-9]{43}$/);
    expect(a.revision).not.toBeNull();
    const rev = await s.api.viewer.clusters.revision({ clusterId: s.clusterId, number: a.revision! });
    expect(rev.summary).toBe('ACME account created');
    const row = await db().acmeAccount.findUniqueOrThrow({ where: { clusterId: s.clusterId } });
    expect(row.sealedKey).not.toContain('PRIVATE KEY');
    expect((await openAcmeAccount(db(), s.clusterId, key()))!.accountKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('an order stores the certificate and its key, and clears the state of the order', async () => {
    const c = await db().$transaction((tx) =>
      requestAcmeCertificate(tx, actor, { clusterId: s.clusterId, name: 'site', names: ['www.example.test'] }),
    );
    expect(c.notAfter).toBeNull();
    const r = await orderCertificate(db(), actor, c.id, { secretKey: key(), now: () => new Date(), order: issued });
    expect(r).toMatchObject({ source: 'acme', lastError: null, issuer: expect.stringContaining('Intermediate') });
    expect(r.notAfter).not.toBeNull();
  });

  it('a failed order is tried again at once, then keeps the certificate and stores the CA error with a backoff', async () => {
    const c = await db().certificate.findFirstOrThrow({ where: { name: 'site' } });
    const now = new Date();
    let tries = 0;
    const counted: OrderFn = (a) => (tries++, refused(a));
    const r = await orderCertificate(db(), actor, c.id, {
      secretKey: key(),
      now: () => now,
      order: counted,
      retryPauseMs: 0,
    });
    expect(tries).toBe(ORDER_ATTEMPTS);
    expect(r.lastError).toMatch(/Connection refused/);
    expect(r.fingerprintSha256).toBe(c.fingerprintSha256);
    expect(r.nextAttemptAt!.getTime() - now.getTime()).toBe(60_000);
  });

  it("a failed order is among the cluster's problems, with the CA's words", async () => {
    const o = await s.api.viewer.clusters.overview({ clusterId: s.clusterId });
    const p = o.clusters[0]!.problems.find((x) => x.kind === 'certificate');
    expect(p?.message).toMatch(/^certificate site: the last ACME order failed .*Connection refused/);
  });

  it('an order that fails once (the VIP moving during validation) is issued by the next attempt', async () => {
    const c = await db().certificate.findFirstOrThrow({ where: { name: 'site' } });
    let tries = 0;
    const flaky: OrderFn = (a) => (tries++ === 0 ? refused(a) : issued(a));
    const r = await orderCertificate(db(), actor, c.id, {
      secretKey: key(),
      now: () => new Date(),
      order: flaky,
      retryPauseMs: 0,
    });
    expect([tries, r.lastError, r.failures]).toEqual([2, null, 0]);
  });

  it('the renewal timer orders a certificate whose renewal time has come, and not before', async () => {
    const c = await db().certificate.findFirstOrThrow({ where: { name: 'site' } });
    await db().certificate.update({ where: { id: c.id }, data: { nextAttemptAt: null, lastError: null } });
    let orders = 0;
    const counted: OrderFn = async (a) => (orders++, issued(a));
    const renewer = (at: Date) =>
      new AcmeRenewer({ db: db(), log: pino({ level: 'silent' }), secretKey: key(), now: () => at, order: counted });
    await renewer(new Date(c.notBefore!.getTime() + 1000)).tick();
    expect(orders).toBe(0);
    await renewer(new Date(c.notAfter!.getTime() - 86_400_000)).tick();
    expect(orders).toBe(1);
    const after = await db().certificate.findFirstOrThrow({ where: { name: 'site' } });
    expect(after.nextAttemptAt).toBeNull();
  });
});
