import { createHash, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from './test-pki';
import {
  CertificateRefusal,
  CertificateUploadSchema,
  validateCertificate,
  type CertificateUpload,
  type RefusalReason,
} from './validate';

/** Issue #17 item 1: an uploaded certificate, key and chain are checked before anything is stored. */
let pki: TestPki;
// Taken after the PKI is made: its certificates' notBefore is the second they were made.
let NOW: Date;
beforeAll(() => {
  pki = makeTestPki();
  NOW = new Date();
});

function refusal(input: CertificateUpload): CertificateRefusal {
  try {
    validateCertificate(input, NOW);
  } catch (e) {
    if (e instanceof CertificateRefusal) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('a valid upload', () => {
  it('gives the names from subjectAltName (DNS, IPv4 and IPv6 as usually written), the dates and the SHA-256 fingerprint', () => {
    const v = validateCertificate({ certificate: pki.leafPem, key: pki.leafKey, chain: pki.intermediatePem }, NOW);
    const x = new X509Certificate(pki.leafPem);
    expect(v.names).toEqual(['www.example.test', 'example.test', '192.0.2.10', '2001:db8::10']);
    expect(v.notAfter).toEqual(new Date(x.validTo));
    expect(v.notBefore).toEqual(new Date(x.validFrom));
    const der = new X509Certificate(pki.leafPem).raw;
    expect(v.fingerprintSha256.replaceAll(':', '').toLowerCase()).toBe(createHash('sha256').update(der).digest('hex'));
    expect(v.issuer).toBe('CN=Keepwatch Test Intermediate');
  });

  it('takes the CN as the name when there is no subjectAltName', () => {
    expect(validateCertificate({ certificate: pki.cnOnlyPem, key: pki.cnOnlyKey }, NOW).names).toEqual([
      'cn-only.example.test',
    ]);
  });

  it('accepts the chain up to the root, and normalises the key to unencrypted PKCS#8', () => {
    const v = validateCertificate(
      { certificate: pki.leafPem, key: pki.leafKey, chain: pki.intermediatePem + pki.rootPem },
      NOW,
    );
    expect(v.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(v.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('accepts no chain (an empty one is the same)', () => {
    expect(validateCertificate({ certificate: pki.leafPem, key: pki.leafKey, chain: ' \n' }, NOW).chainPem).toBe('');
  });
});

type Row = [behaviour: string, input: () => CertificateUpload, field: string, reason: RefusalReason];
const rows: Row[] = [
  ['a certificate that is not PEM', () => ({ certificate: 'hello', key: pki.leafKey }), 'certificate', 'not-pem'],
  [
    'a key given in the certificate field',
    () => ({ certificate: pki.leafKey, key: pki.leafKey }),
    'certificate',
    'not-pem',
  ],
  [
    'a certificate field holding the leaf and its issuer',
    () => ({ certificate: pki.leafPem + pki.intermediatePem, key: pki.leafKey }),
    'certificate',
    'too-many',
  ],
  ['a key that is not PEM', () => ({ certificate: pki.leafPem, key: 'secret' }), 'key', 'not-pem'],
  ['a certificate given in the key field', () => ({ certificate: pki.leafPem, key: pki.leafPem }), 'key', 'not-pem'],
  [
    'an encrypted PKCS#8 key',
    () => ({ certificate: pki.leafPem, key: pki.leafKeyPkcs8Encrypted }),
    'key',
    'encrypted-key',
  ],
  [
    'an encrypted traditional (Proc-Type) key',
    () => ({ certificate: pki.leafPem, key: pki.leafKeyTraditionalEncrypted }),
    'key',
    'encrypted-key',
  ],
  ["another key pair's key", () => ({ certificate: pki.leafPem, key: pki.otherKey }), 'key', 'key-mismatch'],
  [
    'a chain with the root before the intermediate',
    () => ({ certificate: pki.leafPem, key: pki.leafKey, chain: pki.rootPem + pki.intermediatePem }),
    'chain.0',
    'chain-order',
  ],
  [
    'a chain whose second certificate did not issue the first',
    () => ({ certificate: pki.leafPem, key: pki.leafKey, chain: pki.intermediatePem + pki.leafPem }),
    'chain.1',
    'chain-order',
  ],
  [
    'a chain holding a private key',
    () => ({ certificate: pki.leafPem, key: pki.leafKey, chain: pki.intermediatePem + pki.leafKey }),
    'chain',
    'not-pem',
  ],
  [
    'an expired certificate',
    () => ({ certificate: pki.expiredPem, key: pki.leafKey, chain: pki.intermediatePem }),
    'certificate',
    'expired',
  ],
  [
    'an expired intermediate in the chain',
    () => ({ certificate: pki.leafPem, key: pki.leafKey, chain: pki.expiredIntermediatePem + pki.rootPem }),
    'chain.0',
    'expired',
  ],
  [
    'a certificate not valid yet',
    () => ({ certificate: pki.futurePem, key: pki.leafKey, chain: pki.intermediatePem }),
    'certificate',
    'not-yet-valid',
  ],
];

describe('a refused upload names the field', () => {
  it.each(rows)('%s', (_behaviour, input, field, reason) => {
    const e = refusal(input());
    expect({ field: e.field, reason: e.reason, code: e.code }).toEqual({ field, reason, code: 'BAD_REQUEST' });
    expect(e.message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('the clock', () => {
  it('a certificate valid from a minute ahead of this clock is accepted (a host clock running ahead)', () => {
    const x = new X509Certificate(pki.leafPem);
    const before = new Date(new Date(x.validFrom).getTime() - 60_000);
    expect(validateCertificate({ certificate: pki.leafPem, key: pki.leafKey }, before).names).toContain('example.test');
  });
});

describe('the upload schema', () => {
  it.each([
    ['an empty certificate', { certificate: '', key: 'k' }, 'certificate'],
    ['a key over 64 KiB', { certificate: 'c', key: 'k'.repeat(64 * 1024 + 1) }, 'key'],
    ['a chain over 256 KiB', { certificate: 'c', key: 'k', chain: 'c'.repeat(256 * 1024 + 1) }, 'chain'],
  ])('refuses %s', (_b, input, field) => {
    const r = CertificateUploadSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([field]);
  });
});
