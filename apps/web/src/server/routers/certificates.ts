import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { AcmeAccountInputSchema, createAcmeAccount, getAcmeAccount } from '../services/certificates/acme/account';
import { AcmeRequestSchema, orderCertificate, requestAcmeCertificate } from '../services/certificates/acme/order';
import {
  deleteCertificate,
  listCertificates,
  replaceCertificate,
  uploadCertificate,
} from '../services/certificates/store';
import { CertificateNameSchema, CertificateUploadSchema } from '../services/certificates/validate';
import { specSecretKey } from '../services/spec-secrets';
import { adminProcedure, viewerProcedure } from '../trpc';
import { IdSchema, adminMutation, inTransaction } from './util';

const orderDeps = () => ({ secretKey: specSecretKey(), now: () => new Date() });

/**
 * TLS certificates of a cluster: anyone signed in sees them (without keys); admins upload, replace
 * and delete them, set up the cluster's ACME account, request ACME certificates and renew them now.
 */
export const certificatesRouter = {
  list: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => listCertificates(ctx.db, input.clusterId)),
  upload: adminMutation(
    CertificateUploadSchema.extend({ clusterId: IdSchema, name: CertificateNameSchema }),
    (tx, actor, input) => uploadCertificate(tx, actor, input),
  ),
  /** New content under an existing name (a renewed certificate from elsewhere): a revision takes it to the nodes. */
  replace: adminMutation(CertificateUploadSchema.extend({ id: IdSchema }), (tx, actor, input) =>
    replaceCertificate(tx, actor, input),
  ),
  delete: adminMutation(z.strictObject({ id: IdSchema }), deleteCertificate),
  acmeAccount: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => getAcmeAccount(ctx.db, input.clusterId)),
  /** Registers the cluster's account with the CA; its revision puts the challenge answer on the nodes. */
  createAcmeAccount: adminProcedure
    .input(AcmeAccountInputSchema)
    .mutation(({ ctx, input }) => createAcmeAccount(ctx.db, ctx.actor, input, { secretKey: specSecretKey() })),
  /** Adds an ACME certificate and orders it at once; a failed order leaves the row with the CA's error (retried later). */
  requestAcme: adminProcedure.input(AcmeRequestSchema).mutation(async ({ ctx, input }) => {
    const c = await inTransaction(ctx.db, (tx) => requestAcmeCertificate(tx, ctx.actor, input));
    return orderCertificate(ctx.db, ctx.actor, c.id, orderDeps());
  }),
  /** Orders an ACME certificate again now (no waiting for its renewal time or a backoff). */
  renewNow: adminProcedure
    .input(z.strictObject({ id: IdSchema }))
    .mutation(({ ctx, input }) => orderCertificate(ctx.db, ctx.actor, input.id, orderDeps())),
} satisfies TRPCRouterRecord;
