/**
 * Node bootstrap over SSH (admin only): probe a host's key, start an install with the confirmed
 * key, follow its progress, forget a stored host key. The business rules are in
 * services/ssh/bootstrap.ts.
 *
 * Progress is polled (`bootstrap.job` with `since`, about once a second from the page) rather
 * than pushed: the job log lives in this process's memory and a bootstrap takes seconds, so a
 * poll is as live as the user needs and has no subscription plumbing to go wrong.
 */
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  forgetHostKey,
  probeHost,
  ProbeInputSchema,
  startBootstrap,
  StartInputSchema,
  storedHost,
} from '../services/ssh/bootstrap';
import { bootstrapJobs } from '../services/ssh/jobs';
import { defaultBootstrapSettings } from '../services/ssh/settings';
import { notFound } from '../errors';
import { adminProcedure } from '../trpc';
import { IdSchema } from './util';

export const bootstrapRouter = {
  /** The host key's fingerprint, for the admin to confirm; nothing is authenticated or sent. */
  probe: adminProcedure.input(ProbeInputSchema).mutation(({ ctx, input }) => probeHost(ctx.db, input)),
  /** What is stored for a node's host (address, login, confirmed fingerprint; never the key). */
  host: adminProcedure
    .input(z.strictObject({ nodeId: IdSchema }))
    .query(({ ctx, input }) => storedHost(ctx.db, input.nodeId)),
  /** Connects (refusing a changed host key), then installs and starts the agent in the background. */
  start: adminProcedure.input(StartInputSchema).mutation(({ ctx, input }) =>
    startBootstrap(
      {
        db: ctx.db,
        log: ctx.log,
        settings: { ...defaultBootstrapSettings(), dashboardPin: ctx.dashboardPin ?? null },
        jobs: bootstrapJobs,
      },
      ctx.actor,
      input,
    ),
  ),
  /** A job's state and its progress lines from `since` on. */
  job: adminProcedure
    .input(z.strictObject({ jobId: IdSchema, since: z.number().int().min(0).default(0) }))
    .query(({ input }) => {
      const job = bootstrapJobs.get(input.jobId);
      if (!job) throw notFound('bootstrap job', 'jobId');
      return job.view(input.since);
    }),
  /** Recent jobs, newest first (without their lines). */
  jobs: adminProcedure.query(() => bootstrapJobs.list().map((j) => ({ ...j.view(), lines: [] }))),
  /** Forgets a node's confirmed host key (after a host's key really changed); audited. */
  forgetHostKey: adminProcedure
    .input(z.strictObject({ nodeId: IdSchema }))
    .mutation(({ ctx, input }) => forgetHostKey(ctx.db, ctx.actor, input)),
} satisfies TRPCRouterRecord;
