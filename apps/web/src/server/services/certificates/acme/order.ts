/**
 * ACME certificates (issue #17 item 2): an admin requests one by names; the dashboard orders it
 * (RFC 8555 7.4) and answers http-01 through the nodes — every node answers any token with the
 * account thumbprint it got with the revision, so whichever holds the VIP when the CA asks
 * answers — then stores the certificate and its key (sealed) and commits a revision.
 */
import { z } from 'zod';
import { AppError, notFound } from '../../../errors';
import { writeAudit } from '../../audit';
import type { Actor, Db, Tx } from '../../types';
import { certificateView, storeRenewedCertificate } from '../store';
import { CertificateNameSchema, validateCertificate } from '../validate';
import { openAcmeAccount } from './account';
import { acmeClient, acmeProblem, csrFor, newKeyPem, splitIssued } from './client';
import { retryAt } from './schedule';

/** A DNS name an ACME CA issues for over http-01 (no wildcards: those need dns-01, RFC 8555 8.4). */
const DnsNameSchema = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be a DNS name in lower case (http-01 cannot validate wildcards or addresses)',
  });

export const AcmeRequestSchema = z.strictObject({
  clusterId: z.uuid({ message: 'must be an id (UUID)' }),
  name: CertificateNameSchema,
  names: z
    .array(DnsNameSchema)
    .min(1, { message: 'give at least one name' })
    .max(100)
    .refine((n) => new Set(n).size === n.length, { message: 'each name once' }),
});
export type AcmeRequest = z.output<typeof AcmeRequestSchema>;

/** Creates the certificate row (source acme, not issued yet); the order follows (orderCertificate). */
export async function requestAcmeCertificate(tx: Tx, actor: Actor, input: AcmeRequest) {
  if (!(await tx.acmeAccount.findUnique({ where: { clusterId: input.clusterId }, select: { id: true } })))
    throw new AppError('BAD_REQUEST', {
      field: 'clusterId',
      message: 'this cluster has no ACME account yet: create it first (CA directory URL and e-mail)',
    });
  if (await tx.certificate.findUnique({ where: { clusterId_name: { clusterId: input.clusterId, name: input.name } } }))
    throw new AppError('CONFLICT', {
      field: 'name',
      message: `this cluster has a certificate named "${input.name}" already; choose another name`,
    });
  const c = await tx.certificate.create({
    data: { clusterId: input.clusterId, name: input.name, source: 'acme', names: input.names },
    select: certificateView,
  });
  await writeAudit(tx, actor, {
    action: 'certificate.acme.request',
    targetType: 'certificate',
    targetId: c.id,
    after: { clusterId: c.clusterId, name: c.name, names: c.names },
  });
  return c;
}

/** Orders a certificate for `names` with the account; returns the CA's PEM bundle and the new key. Replaceable in tests. */
export type OrderFn = (a: {
  directoryUrl: string;
  accountKeyPem: string;
  accountUrl: string;
  names: readonly string[];
}) => Promise<{ pem: string; keyPem: string }>;

export const orderFromCa: OrderFn = async (a) => {
  const keyPem = await newKeyPem();
  const pem = await acmeClient(a).auto({
    csr: await csrFor(a.names, keyPem),
    termsOfServiceAgreed: true,
    challengePriority: ['http-01'],
    // The nodes answer every token statelessly (the renderer's acme-challenge location): there
    // is nothing to put in place or take away, and the dashboard need not reach the VIP itself.
    skipChallengeVerification: true,
    challengeCreateFn: async () => {},
    challengeRemoveFn: async () => {},
  });
  return { pem, keyPem };
};

export interface OrderDeps {
  secretKey: Buffer;
  now: () => Date;
  order?: OrderFn;
  /** The pause between the attempts of one order (default ORDER_RETRY_PAUSE_MS). */
  retryPauseMs?: number;
}

/**
 * Orders tried at once before a failure is stored: a CA validates http-01 once per order (RFC 8555
 * 8.2: a failed challenge invalidates the authorization), and a VIP moving at that moment can leave
 * its request hanging on the node that gave the VIP up; the next order reaches the new holder.
 */
export const ORDER_ATTEMPTS = 3;
export const ORDER_RETRY_PAUSE_MS = 2000;

/** `order`, tried up to ORDER_ATTEMPTS times; the last error is thrown. */
async function orderWithRetries(order: OrderFn, a: Parameters<OrderFn>[0], pauseMs: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await order(a);
    } catch (e) {
      if (attempt >= ORDER_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

/**
 * Orders (or renews) ACME certificate `id` now. On success the row holds the new certificate and
 * a revision takes it to the nodes; on failure the row keeps its certificate and gets the CA's
 * error and the next attempt's time (backoff). Returns the row as the API shows it.
 */
export async function orderCertificate(db: Db, actor: Actor, id: string, deps: OrderDeps) {
  const row = await db.certificate.findUnique({
    where: { id },
    select: { id: true, clusterId: true, name: true, source: true, names: true, failures: true },
  });
  if (!row) throw notFound('certificate', 'id');
  if (row.source !== 'acme')
    throw new AppError('BAD_REQUEST', {
      field: 'id',
      message: `certificate "${row.name}" was uploaded, not issued by ACME: replace it with an upload`,
    });
  const started = deps.now();
  try {
    const account = await openAcmeAccount(db, row.clusterId, deps.secretKey);
    if (!account) throw new Error('this cluster has no ACME account (it was removed): create it again');
    const issued = await orderWithRetries(
      deps.order ?? orderFromCa,
      { ...account, names: row.names },
      deps.retryPauseMs ?? ORDER_RETRY_PAUSE_MS,
    );
    const { certificatePem, chainPem } = splitIssued(issued.pem);
    const v = validateCertificate({ certificate: certificatePem, chain: chainPem, key: issued.keyPem }, deps.now());
    return await db.$transaction(
      (tx) =>
        storeRenewedCertificate(tx, actor, row, v, { secretKey: deps.secretKey, action: 'certificate.acme.issue' }),
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (e) {
    const failures = row.failures + 1;
    const lastError = e instanceof AppError ? e.message : acmeProblem(e);
    return db.certificate.update({
      where: { id },
      data: { lastError, lastAttemptAt: started, failures, nextAttemptAt: retryAt(started, failures) },
      select: certificateView,
    });
  }
}
