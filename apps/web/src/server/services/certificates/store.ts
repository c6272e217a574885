/**
 * Stored TLS certificates (issue #17 item 1): checked on upload (validate.ts), the private key
 * sealed at rest like the VRRP secrets and stored SSH keys (secret-box.ts, bound to the cluster and
 * the row's id so a sealed key copied into another row does not open), and never returned: reads
 * select the public columns only, and audit records name the certificate, not its key.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../../errors';
import { writeAudit } from '../audit';
import { SEALED_PREFIX, specSecretKey } from '../spec-secrets';
import { openSecret, sealSecret } from '../ssh/secret-box';
import type { Actor, Db, Tx } from '../types';
import { validateCertificate, type CertificateUpload } from './validate';

/** What the API shows of a certificate: everything but the key. */
export const certificateView = {
  id: true,
  clusterId: true,
  name: true,
  names: true,
  subject: true,
  issuer: true,
  notBefore: true,
  notAfter: true,
  fingerprintSha256: true,
  createdAt: true,
  updatedAt: true,
} as const;

const keyContext = (clusterId: string, id: string) => `${clusterId}/certificate/${id}`;

export function sealCertificateKey(key: Buffer, keyPem: string, clusterId: string, id: string): string {
  return SEALED_PREFIX + sealSecret(key, keyPem, keyContext(clusterId, id));
}

/** The PEM private key of a stored certificate (for rendering it onto the nodes). */
export function openCertificateKey(
  key: Buffer,
  row: { id: string; clusterId: string; name: string; sealedKey: string },
): string {
  if (!row.sealedKey.startsWith(SEALED_PREFIX)) throw new Error(`certificate "${row.name}": its key is not sealed`);
  try {
    return openSecret(key, row.sealedKey.slice(SEALED_PREFIX.length), keyContext(row.clusterId, row.id));
  } catch (e) {
    throw new AppError('INTERNAL', {
      message: `the key of certificate "${row.name}" cannot be unsealed with this dashboard's secret key (KEEPWATCH_SECRET_KEY or KEEPWATCH_SECRET_KEY_FILE): it was sealed under another key, which was lost or replaced; restore that key file or upload the certificate again`,
      cause: e,
    });
  }
}

export async function listCertificates(db: Db, clusterId: string) {
  return db.certificate.findMany({ where: { clusterId }, orderBy: { name: 'asc' }, select: certificateView });
}

export type UploadInput = CertificateUpload & { clusterId: string; name: string };

export async function uploadCertificate(
  tx: Tx,
  actor: Actor,
  input: UploadInput,
  opts: { secretKey?: Buffer; now?: Date } = {},
) {
  if (!(await tx.cluster.findUnique({ where: { id: input.clusterId }, select: { id: true } })))
    throw notFound('cluster', 'clusterId');
  if (await tx.certificate.findUnique({ where: { clusterId_name: { clusterId: input.clusterId, name: input.name } } }))
    throw new AppError('CONFLICT', {
      field: 'name',
      message: `this cluster has a certificate named "${input.name}" already; delete it first or choose another name`,
    });
  const v = validateCertificate(input, opts.now ?? new Date());
  const id = randomUUID();
  const c = await tx.certificate.create({
    data: {
      id,
      clusterId: input.clusterId,
      name: input.name,
      certificatePem: v.certificatePem,
      chainPem: v.chainPem,
      sealedKey: sealCertificateKey(opts.secretKey ?? specSecretKey(), v.keyPem, input.clusterId, id),
      names: v.names,
      subject: v.subject,
      issuer: v.issuer,
      notBefore: v.notBefore,
      notAfter: v.notAfter,
      fingerprintSha256: v.fingerprintSha256,
    },
    select: certificateView,
  });
  await writeAudit(tx, actor, {
    action: 'certificate.upload',
    targetType: 'certificate',
    targetId: c.id,
    after: auditFields(c),
  });
  return c;
}

export async function deleteCertificate(tx: Tx, actor: Actor, input: { id: string }) {
  const c = await tx.certificate.findUnique({ where: { id: input.id }, select: certificateView });
  if (!c) throw notFound('certificate');
  await tx.certificate.delete({ where: { id: c.id } });
  await writeAudit(tx, actor, {
    action: 'certificate.delete',
    targetType: 'certificate',
    targetId: c.id,
    before: auditFields(c),
  });
  return { id: c.id };
}

/** What the audit log keeps of a certificate: its identity and facts, never the key. */
function auditFields(c: {
  clusterId: string;
  name: string;
  names: string[];
  notAfter: Date;
  fingerprintSha256: string;
}) {
  return {
    clusterId: c.clusterId,
    name: c.name,
    names: c.names,
    notAfter: c.notAfter.toISOString(),
    fingerprintSha256: c.fingerprintSha256,
  };
}

/** Every certificate's expiry, for the metrics scrape. */
export async function certificateExpiries(db: Db) {
  return db.certificate.findMany({
    select: { name: true, notAfter: true, cluster: { select: { name: true } } },
    orderBy: [{ clusterId: 'asc' }, { name: 'asc' }],
  });
}
