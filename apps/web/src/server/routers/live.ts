/**
 * Live updates (tRPC subscriptions over SSE, `httpSubscriptionLink`): each yields small events —
 * what changed and where, never the data — and the page re-reads the affected queries. The
 * events come from the bus, so an agent connected to another dashboard instance is seen here.
 * Node live state itself is read with `clusters.live` (services/node-status.ts), with its age.
 */
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { busEvents, concernsCluster, LocalEventBus, type EventBus, type LocalBusEvent } from '../bus';
import type { Context } from '../context';
import { viewerProcedure } from '../trpc';
import { IdSchema } from './util';

/** A context without a bus (some tests) still gets working, silent subscriptions. */
const idleBuses = new WeakMap<object, EventBus>();
function busOf(ctx: Context): EventBus {
  if (ctx.bus) return ctx.bus;
  let b = idleBuses.get(ctx.db);
  if (!b) idleBuses.set(ctx.db, (b = new LocalEventBus(ctx.log)));
  return b;
}

async function* stream(
  ctx: Context,
  filter: (e: LocalBusEvent) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<LocalBusEvent, void, undefined> {
  ctx.metrics.subscriptions.inc();
  try {
    yield* busEvents(busOf(ctx), filter, signal);
  } finally {
    ctx.metrics.subscriptions.dec();
  }
}

export const liveRouter = {
  /** One cluster: transitions, deployments, node live state, failover intent and progress, its audit records. */
  cluster: viewerProcedure.input(z.strictObject({ clusterId: IdSchema })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    yield* stream(ctx, (e) => concernsCluster(e, input.clusterId), signal);
  }),
  /** Every cluster (the overview). */
  overview: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield* stream(ctx, () => true, signal);
  }),
  /** New audit records. */
  audit: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield* stream(ctx, (e) => e.type === 'audit' || e.type === 'resync', signal);
  }),
} satisfies TRPCRouterRecord;
