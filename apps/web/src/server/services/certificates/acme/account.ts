/**
 * A cluster's ACME account (issue #17 item 2): registered with the CA (RFC 8555 7.3), its key
 * sealed like the certificate keys, its thumbprint pushed to the nodes with every revision so each
 * answers http-01 statelessly. Creating it commits a revision, so the nodes render the challenge
 * location before the first order.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors';
import { writeAudit } from '../../audit';
import { commitRevision } from '../../revisions';
import { SEALED_PREFIX } from '../../spec-secrets';
import { openSecret, sealSecret } from '../../ssh/secret-box';
import type { Actor, Db, Tx } from '../../types';
import { accountThumbprint, acmeClient, acmeProblem, checkDirectory, newKeyPem } from './client';

export const AcmeAccountInputSchema = z.strictObject({
  clusterId: z.uuid({ message: 'must be an id (UUID)' }),
  /** The CA's directory (RFC 8555 7.1.1), https only: the account key is sent signed over it. */
  directoryUrl: z.url({ protocol: /^https$/, message: "must be the https:// URL of the CA's ACME directory" }),
  email: z.email({ message: 'must be an e-mail address (the CA writes about expiring certificates to it)' }),
});
export type AcmeAccountInput = z.output<typeof AcmeAccountInputSchema>;

const keyContext = (clusterId: string, id: string) => `${clusterId}/acme-account/${id}`;

/** What the API shows of an account: no key. */
export const acmeAccountView = {
  id: true,
  clusterId: true,
  directoryUrl: true,
  email: true,
  accountUrl: true,
  thumbprint: true,
  createdAt: true,
} as const;

export async function getAcmeAccount(db: Db, clusterId: string) {
  return db.acmeAccount.findUnique({ where: { clusterId }, select: acmeAccountView });
}

/** The account with its key opened, for an order. */
export async function openAcmeAccount(db: Db | Tx, clusterId: string, secretKey: Buffer) {
  const a = await db.acmeAccount.findUnique({ where: { clusterId } });
  if (!a) return null;
  if (!a.sealedKey.startsWith(SEALED_PREFIX)) throw new Error('the ACME account key is not sealed');
  let accountKeyPem: string;
  try {
    accountKeyPem = openSecret(secretKey, a.sealedKey.slice(SEALED_PREFIX.length), keyContext(clusterId, a.id));
  } catch (e) {
    throw new AppError('INTERNAL', {
      message:
        "the ACME account key cannot be unsealed with this dashboard's secret key (KEEPWATCH_SECRET_KEY or KEEPWATCH_SECRET_KEY_FILE): restore that key or create the account again",
      cause: e,
    });
  }
  return { ...a, accountKeyPem };
}

/** Registers a new account key with the CA; returns the account URL. Replaceable in tests. */
export type RegisterAccount = (a: { directoryUrl: string; email: string; accountKeyPem: string }) => Promise<string>;

export const registerWithCa: RegisterAccount = async (a) => {
  await checkDirectory(a.directoryUrl);
  const client = acmeClient(a);
  // RFC 8555 7.3: the dashboard's admin agrees to the CA's terms by creating the account.
  await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${a.email}`] });
  return client.getAccountUrl();
};

/**
 * Creates the cluster's ACME account: the key made and registered first (outside any
 * transaction: the CA may be slow), then stored sealed with a revision in one transaction.
 */
export async function createAcmeAccount(
  db: Db,
  actor: Actor,
  input: AcmeAccountInput,
  deps: { secretKey: Buffer; register?: RegisterAccount },
) {
  if (!(await db.cluster.findUnique({ where: { id: input.clusterId }, select: { id: true } })))
    throw notFound('cluster', 'clusterId');
  if (await db.acmeAccount.findUnique({ where: { clusterId: input.clusterId }, select: { id: true } }))
    throw new AppError('CONFLICT', { field: 'clusterId', message: 'this cluster has an ACME account already' });
  const accountKeyPem = await newKeyPem();
  let accountUrl: string;
  try {
    accountUrl = await (deps.register ?? registerWithCa)({ ...input, accountKeyPem });
  } catch (e) {
    throw new AppError('BAD_REQUEST', {
      field: 'directoryUrl',
      message: `the CA refused or could not be reached: ${acmeProblem(e)}`,
    });
  }
  const id = randomUUID();
  return db.$transaction(
    async (tx) => {
      const a = await tx.acmeAccount.create({
        data: {
          id,
          clusterId: input.clusterId,
          directoryUrl: input.directoryUrl,
          email: input.email,
          accountUrl,
          sealedKey: SEALED_PREFIX + sealSecret(deps.secretKey, accountKeyPem, keyContext(input.clusterId, id)),
          thumbprint: accountThumbprint(accountKeyPem),
        },
        select: acmeAccountView,
      });
      await writeAudit(tx, actor, {
        action: 'acme.account.create',
        targetType: 'cluster',
        targetId: input.clusterId,
        after: { directoryUrl: a.directoryUrl, email: a.email, accountUrl: a.accountUrl, thumbprint: a.thumbprint },
      });
      const revision = await commitRevision(tx, actor, input.clusterId, 'ACME account created');
      return { ...a, revision: revision?.number ?? null };
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}
