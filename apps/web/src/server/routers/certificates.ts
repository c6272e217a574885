import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  deleteCertificate,
  listCertificates,
  replaceCertificate,
  uploadCertificate,
} from '../services/certificates/store';
import { CertificateNameSchema, CertificateUploadSchema } from '../services/certificates/validate';
import { viewerProcedure } from '../trpc';
import { IdSchema, adminMutation } from './util';

/** TLS certificates of a cluster: anyone signed in sees them (without keys); admins upload and delete. */
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
} satisfies TRPCRouterRecord;
