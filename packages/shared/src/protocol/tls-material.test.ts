import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC_INPUT } from '../../test/spec-cases.js';
import { formatZodIssues } from '../spec/format-error.js';
import { encodeFrame, parseHubFrame } from './frame.js';
import type { HubMessage } from './messages.js';
import { MAX_CERTIFICATE_PEM_CHARS, missingCertificates, TlsMaterialSchema, type TlsMaterial } from './tls-material.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const cert = { name: 'www', fingerprintSha256: 'ab'.repeat(32), certificatePem: CERT, keyPem: KEY };
const THUMBPRINT = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';

const issues = (tls: unknown) => {
  const r = TlsMaterialSchema.safeParse(tls);
  return r.success ? [] : formatZodIssues(r.error.issues);
};

describe('the tls field of config-push', () => {
  it('travels in a config-push frame and back', () => {
    const push: HubMessage = {
      v: 1,
      type: 'config-push',
      revision: 3,
      spec: REFERENCE_SPEC_INPUT as never,
      tls: { certificates: [cert], acmeThumbprint: THUMBPRINT },
    };
    const r = parseHubFrame(encodeFrame(push));
    expect(r.ok && r.message.type === 'config-push' && r.message.tls).toEqual(push.tls);
  });

  type Case = { name: string; tls: unknown; want: string };
  it.each<Case>([
    {
      name: 'a fingerprint that is not 64 lower-case hex digits',
      tls: { certificates: [{ ...cert, fingerprintSha256: 'AB'.repeat(32) }] },
      want: 'certificates.0.fingerprintSha256: must be a lower-case hex SHA-256',
    },
    {
      name: 'a certificate that is not PEM',
      tls: { certificates: [{ ...cert, certificatePem: 'hello' }] },
      want: 'certificates.0.certificatePem: must be PEM certificates (leaf first)',
    },
    {
      name: 'a certificate PEM carrying an nginx directive',
      tls: { certificates: [{ ...cert, certificatePem: `${CERT}";\ninclude /etc/passwd;` }] },
      want: 'certificates.0.certificatePem: must be PEM certificates (leaf first)',
    },
    {
      name: 'an encrypted key',
      tls: { certificates: [{ ...cert, keyPem: KEY.replaceAll('PRIVATE KEY', 'ENCRYPTED PRIVATE KEY') }] },
      want: 'certificates.0.keyPem: must be an unencrypted PEM private key',
    },
    {
      name: 'a certificate chain over 64 KiB',
      tls: { certificates: [{ ...cert, certificatePem: CERT.repeat(MAX_CERTIFICATE_PEM_CHARS / CERT.length + 1) }] },
      want: 'certificates.0.certificatePem: Too big: expected string to have <=65536 characters',
    },
    {
      name: 'a certificate name that is not a file name',
      tls: { certificates: [{ ...cert, name: '../x' }] },
      want: 'certificates.0.name: must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit',
    },
    {
      name: 'the same certificate twice',
      tls: { certificates: [cert, cert] },
      want: 'certificates.1.name: duplicate certificate "www"',
    },
    {
      name: 'a thumbprint that is not 43 base64url characters',
      tls: { certificates: [], acmeThumbprint: `${THUMBPRINT}=` },
      want: 'acmeThumbprint: must be 43 base64url characters (RFC 7638 SHA-256)',
    },
  ])('refuses $name, naming the field', ({ tls, want }) => {
    expect(issues(tls)).toEqual([want]);
  });

  it('names the certificates a spec uses that a push lacks', () => {
    const tls: TlsMaterial = { certificates: [cert] };
    const vs = (certificate?: string) => ({ tls: certificate ? { certificate } : undefined });
    expect(missingCertificates({ virtualServers: [vs('www'), vs('api'), vs(), vs('api')] }, tls)).toEqual(['api']);
    expect(missingCertificates({ virtualServers: [vs('www')] }, undefined)).toEqual(['www']);
  });
});
