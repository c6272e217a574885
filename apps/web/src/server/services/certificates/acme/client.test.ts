import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountThumbprint, splitIssued } from './client';

describe('ACME client helpers', () => {
  it('computes the RFC 7638 3.1 example thumbprint of an RSA key', () => {
    // The JWK of RFC 7638 section 3.1 as a public key.
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const pem = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    expect(accountThumbprint(pem.toString())).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('gives a 43-character base64url thumbprint for a P-256 account key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(accountThumbprint(pem)).toMatch(/^[-_A-Za-z0-9]{43}$/);
  });

  it('splits the CA bundle into the leaf and its chain', () => {
    const block = (b: string) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`;
    const r = splitIssued(block('AAAA') + '\n' + block('BBBB') + block('CCCC'));
    expect(r.certificatePem).toContain('AAAA');
    expect(r.chainPem).toContain('BBBB');
    expect(r.chainPem).toContain('CCCC');
    expect(r.chainPem).not.toContain('AAAA');
  });
});
