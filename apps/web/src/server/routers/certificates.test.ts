import { Writable } from 'node:stream';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { apiWithClusterForSuite, trpcError } from '../testing/api';
import { openCertificateKey } from '../services/certificates/store';
import { makeTestPki, type TestPki } from '../services/certificates/test-pki';
import { specSecretKey } from '../services/spec-secrets';

/**
 * Issue #17 item 1: certificates are uploaded by admins (validated, audited), listed without their
 * key, and their key is stored sealed — a table dump carries no PEM private key.
 */
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

/** The base64 body of a PEM block, joined: what a dump would contain if the key were stored in clear. */
const pemBody = (pem: string) =>
  pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');

describe('certificates', () => {
  const s = apiWithClusterForSuite();
  const upload = (over: Record<string, string> = {}) =>
    s.api.admin.certificates.upload({
      clusterId: s.clusterId,
      name: 'www',
      certificate: pki.leafPem,
      key: pki.leafKey,
      chain: pki.intermediatePem,
      ...over,
    });

  it('an upload is listed with its names and expiry, and neither answer carries the key', async () => {
    const created = await upload();
    const list = await s.api.viewer.certificates.list({ clusterId: s.clusterId });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      name: 'www',
      names: ['www.example.test', 'example.test', '192.0.2.10', '2001:db8::10'],
      notAfter: created.notAfter,
    });
    expect(list[0]!.notAfter!.getTime()).toBeGreaterThan(Date.now());
    for (const answer of [created, list[0]]) expect(JSON.stringify(answer)).not.toMatch(/PRIVATE KEY|sealedKey/);
  });

  it('a dump of the table does not contain the private key, which is sealed and opens only for its row', async () => {
    const rows = await s.api.db.prisma.$queryRaw<
      { j: string }[]
    >`SELECT row_to_json(c)::text AS j FROM "Certificate" c`;
    const dump = rows.map((r) => r.j).join('\n');
    expect(dump).toContain('www.example.test');
    expect(dump).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain(pemBody(pki.leafKey).slice(0, 40));
    const row = await s.api.db.prisma.certificate.findFirstOrThrow({ where: { name: 'www' } });
    const opened = openCertificateKey(specSecretKey(), row);
    expect(opened).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(() => openCertificateKey(specSecretKey(), { ...row, id: s.clusterId })).toThrow(/cannot be unsealed/);
  });

  it('the upload is audited with the names and fingerprint, without the key', async () => {
    const rec = await s.api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'certificate.upload' } });
    expect(rec.after).toMatchObject({
      clusterId: s.clusterId,
      name: 'www',
      names: ['www.example.test', 'example.test', '192.0.2.10', '2001:db8::10'],
    });
    const text = JSON.stringify([rec.before, rec.after]);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(pemBody(pki.leafKey).slice(0, 40));
  });

  const refusals: [field: string, over: (p: TestPki) => Record<string, string>][] = [
    ['key', (p) => ({ name: 'other', key: p.otherKey })],
    ['chain.0', (p) => ({ name: 'other', chain: p.rootPem + p.intermediatePem })],
    ['certificate', (p) => ({ name: 'other', certificate: p.expiredPem })],
    ['name', () => ({ name: 'www' })],
    ['name', () => ({ name: 'Not A Name' })],
  ];
  it.each(refusals)('a refused upload names the field %s', async (field, over) => {
    const e = await trpcError(upload(over(pki)));
    const named = e.cause instanceof AppError ? e.cause.field : e.message.split(':')[0];
    expect(named).toBe(field);
    expect(await s.api.db.prisma.certificate.count({ where: { name: 'other' } })).toBe(0);
  });

  it('neither a refused nor an accepted upload writes the key to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const quiet = s.api.deps.log;
    s.api.deps.log = pino({ level: 'trace' }, sink);
    try {
      const admin = s.api.as('admin').caller;
      const input = { clusterId: s.clusterId, certificate: pki.leafPem, key: pki.leafKey };
      await trpcError(admin.certificates.upload({ ...input, name: 'logged', key: pki.otherKey }));
      await trpcError(admin.certificates.upload({ ...input, name: 'Bad Name' }));
      await admin.certificates.upload({ ...input, name: 'logged' });
    } finally {
      s.api.deps.log = quiet;
    }
    expect(lines.length).toBeGreaterThan(0);
    const log = lines.join('');
    for (const key of [pki.leafKey, pki.otherKey]) expect(log).not.toContain(pemBody(key).slice(0, 40));
    expect(log).not.toContain('PRIVATE KEY');
  });

  it('a viewer or an operator cannot upload or delete', async () => {
    const [c] = await s.api.viewer.certificates.list({ clusterId: s.clusterId });
    for (const caller of [s.api.viewer, s.api.operator]) {
      expect(
        (
          await trpcError(
            caller.certificates.upload({
              clusterId: s.clusterId,
              name: 'mine',
              certificate: pki.leafPem,
              key: pki.leafKey,
            }),
          )
        ).code,
      ).toBe('FORBIDDEN');
      expect((await trpcError(caller.certificates.delete({ id: c!.id }))).code).toBe('FORBIDDEN');
    }
  });

  it('an admin deletes a certificate; the deletion is audited', async () => {
    const www = (await s.api.viewer.certificates.list({ clusterId: s.clusterId })).find((c) => c.name === 'www');
    await s.api.admin.certificates.delete({ id: www!.id });
    const names = (await s.api.viewer.certificates.list({ clusterId: s.clusterId })).map((c) => c.name);
    expect(names).not.toContain('www');
    const rec = await s.api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'certificate.delete' } });
    expect(rec).toMatchObject({ targetId: www!.id, before: { name: 'www' } });
  });
});
