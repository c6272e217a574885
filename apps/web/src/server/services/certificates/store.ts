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
import { commitRevision } from '../revisions';
import { virtualServersUsing } from './usage';
import { validateCertificate, type CertificateUpload, type ValidCertificate } from './validate';

/** What the API shows of a certificate: everything but the key. */
export const certificateView = {
  id: true,
  clusterId: true,
  name: true,
  source: true,
  names: true,
  subject: true,
  issuer: true,
  notBefore: true,
  notAfter: true,
  fingerprintSha256: true,
  lastError: true,
  failures: true,
  lastAttemptAt: true,
  nextAttemptAt: true,
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
      ...issuedColumns(v, opts.secretKey ?? specSecretKey(), input.clusterId, id),
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

/** The columns of an issued (uploaded or ACME-issued) certificate, its key sealed for row `id`. */
export function issuedColumns(v: ValidCertificate, secretKey: Buffer, clusterId: string, id: string) {
  return {
    certificatePem: v.certificatePem,
    chainPem: v.chainPem,
    sealedKey: sealCertificateKey(secretKey, v.keyPem, clusterId, id),
    names: v.names,
    subject: v.subject,
    issuer: v.issuer,
    notBefore: v.notBefore,
    notAfter: v.notAfter,
    fingerprintSha256: v.fingerprintSha256,
  };
}

/**
 * Puts new content (an upload, or an ACME renewal: `v`) under an existing certificate's name and
 * commits a revision ("certificate X renewed") when a virtual server uses it, so the rollout
 * (backup first, hitless reload) takes it to every node. Audited without the key.
 */
export async function storeRenewedCertificate(
  tx: Tx,
  actor: Actor,
  row: { id: string; clusterId: string; name: string },
  v: ValidCertificate,
  opts: { secretKey?: Buffer; action?: string } = {},
) {
  const before = await tx.certificate.findUniqueOrThrow({ where: { id: row.id }, select: certificateView });
  const c = await tx.certificate.update({
    where: { id: row.id },
    data: {
      ...issuedColumns(v, opts.secretKey ?? specSecretKey(), row.clusterId, row.id),
      lastError: null,
      failures: 0,
      nextAttemptAt: null,
    },
    select: certificateView,
  });
  await writeAudit(tx, actor, {
    action: opts.action ?? 'certificate.replace',
    targetType: 'certificate',
    targetId: c.id,
    before: auditFields(before),
    after: auditFields(c),
  });
  const users = await virtualServersUsing(tx, row.clusterId, row.name);
  const revision =
    users.length > 0 ? await commitRevision(tx, actor, row.clusterId, `certificate ${row.name} renewed`) : null;
  return { ...c, revision: revision?.number ?? null };
}

export async function replaceCertificate(
  tx: Tx,
  actor: Actor,
  input: CertificateUpload & { id: string },
  opts: { secretKey?: Buffer; now?: Date } = {},
) {
  const row = await tx.certificate.findUnique({
    where: { id: input.id },
    select: { id: true, clusterId: true, name: true, source: true },
  });
  if (!row) throw notFound('certificate', 'id');
  if (row.source === 'acme')
    throw new AppError('BAD_REQUEST', {
      field: 'id',
      message: `certificate "${row.name}" is issued by ACME and renewed by the dashboard: use "renew now" instead of an upload`,
    });
  const v = validateCertificate(input, opts.now ?? new Date());
  return storeRenewedCertificate(tx, actor, row, v, opts);
}

export async function deleteCertificate(tx: Tx, actor: Actor, input: { id: string }) {
  const c = await tx.certificate.findUnique({ where: { id: input.id }, select: certificateView });
  if (!c) throw notFound('certificate');
  const users = await virtualServersUsing(tx, c.clusterId, c.name);
  if (users.length > 0)
    throw new AppError('CONFLICT', {
      field: 'id',
      message: `certificate "${c.name}" is used by virtual server${users.length > 1 ? 's' : ''} ${users.map((u) => `"${u}"`).join(', ')}: change ${users.length > 1 ? 'their' : 'its'} TLS certificate first`,
    });
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
  source: string;
  notAfter: Date | null;
  fingerprintSha256: string;
}) {
  return {
    clusterId: c.clusterId,
    name: c.name,
    source: c.source,
    names: c.names,
    notAfter: c.notAfter?.toISOString() ?? null,
    fingerprintSha256: c.fingerprintSha256,
  };
}

/** Every issued certificate's expiry, for the metrics scrape. */
export async function certificateExpiries(db: Db) {
  const rows = await db.certificate.findMany({
    where: { notAfter: { not: null } },
    select: { name: true, notAfter: true, cluster: { select: { name: true } } },
    orderBy: [{ clusterId: 'asc' }, { name: 'asc' }],
  });
  return rows.flatMap((r) => (r.notAfter ? [{ ...r, notAfter: r.notAfter }] : []));
}
