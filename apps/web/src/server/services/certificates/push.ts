/**
 * The `tls` part of a config push (issue #17, the shared contract): the certificates the
 * revision's virtual servers use — leaf + chain PEM, the key unsealed for the agent, the
 * fingerprint — and the cluster's ACME account thumbprint (the nodes answer http-01 with it).
 * Read when the hub loads a revision; a replaced or renewed certificate commits a new revision,
 * so what a revision pushes is what the cluster held when it was loaded.
 */
import type { ClusterSpec, TlsMaterial } from '@keepwatch/shared';
import type { Db } from '../types';
import { openCertificateKey } from './store';
import { specCertificateNames } from './usage';

/** A config push's `tls` (protocol/tls-material.ts). */
export type TlsPush = TlsMaterial;

/** Stored fingerprints are colon-separated upper-case hex; the push carries 64 lower-case hex digits. */
export function pushFingerprint(stored: string): string {
  return stored.replaceAll(':', '').toLowerCase();
}

/** Leaf then chain, each block ending in a newline (what nginx's ssl_certificate reads). */
export function fullChainPem(certificatePem: string, chainPem: string): string {
  const block = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);
  return block(certificatePem) + block(chainPem);
}

/**
 * What a push of `spec` carries in `tls`, or undefined when it needs none (no certificate used
 * and no ACME account): such a push goes to every agent, old ones too.
 */
export async function loadTlsPush(
  db: Db,
  clusterId: string,
  spec: Pick<ClusterSpec, 'virtualServers'>,
  secretKey: Buffer,
): Promise<TlsPush | undefined> {
  const names = specCertificateNames(spec);
  const [rows, account] = await Promise.all([
    names.length === 0
      ? []
      : db.certificate.findMany({
          where: { clusterId, name: { in: names }, notAfter: { not: null } },
          orderBy: { name: 'asc' },
          select: {
            id: true,
            clusterId: true,
            name: true,
            certificatePem: true,
            chainPem: true,
            sealedKey: true,
            fingerprintSha256: true,
          },
        }),
    db.acmeAccount.findUnique({ where: { clusterId }, select: { thumbprint: true } }),
  ]);
  if (rows.length === 0 && !account) return undefined;
  return {
    certificates: rows.map((r) => ({
      name: r.name,
      fingerprintSha256: pushFingerprint(r.fingerprintSha256),
      certificatePem: fullChainPem(r.certificatePem, r.chainPem),
      keyPem: openCertificateKey(secretKey, r),
    })),
    ...(account ? { acmeThumbprint: account.thumbprint } : {}),
  };
}
