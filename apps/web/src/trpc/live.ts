'use client';
/**
 * Live updates for pages: subscribe to the server's events (routers/live.ts, SSE) and invalidate
 * the TanStack queries they affect, so the page re-reads only what changed — no polling while the
 * stream is up. Queries are keyed `['<router>.<procedure>', clusterId?, …]` by convention; an
 * event about a cluster refreshes that cluster's queries and the cross-cluster ones.
 *
 * The hook reports its connection (`live` / `connecting` / `reconnecting`) for a visible flag,
 * and `fallbackPollMs` for queries to poll slowly only while the stream is down. Every (re)start
 * of the stream refreshes everything, since events may have been missed meanwhile.
 */
import { useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, type RouterOutputs } from './client';

export type LiveEvent = RouterOutputs['live']['overview'] extends AsyncIterable<infer T> ? T : never;
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** How long events are gathered before invalidating, so a burst costs one refetch per query. */
export const LIVE_DEBOUNCE_MS = 100;
/** While the stream is down, pages fall back to polling this slowly. */
export const LIVE_FALLBACK_POLL_MS = 10_000;

/** Which queries an event type makes stale (besides `*` = every query of the cluster). */
const AFFECTS: Record<string, readonly string[]> = {
  transition: [
    'clusters.transitions',
    'clusters.timeline',
    'clusters.live',
    'clusters.overview',
    'clusters.list',
    'clusters.get',
    'failover.status',
    'instances.list',
    'nodes.all',
    'nodes.list',
  ],
  deployment: [
    'rollout.status',
    'clusters.deployments',
    'clusters.revision',
    'clusters.revisions',
    'clusters.get',
    'clusters.list',
    'clusters.live',
    'clusters.overview',
    'nodes.all',
    'nodes.list',
  ],
  'node-live': [
    'clusters.live',
    'clusters.overview',
    'clusters.get',
    'clusters.list',
    'failover.status',
    'nodes.all',
    'nodes.list',
    'instances.list',
  ],
  failover: [
    'failover.status',
    'instances.list',
    'clusters.live',
    'clusters.overview',
    'clusters.get',
    'clusters.list',
    'nodes.all',
    'nodes.list',
    'audit.list',
    'audit.facets',
  ],
  command: ['failover.status', 'instances.list', 'clusters.live', 'clusters.overview'],
  // A mutation: config, users, failover intent — anything of the cluster may have changed.
  audit: ['*'],
  resync: ['*'],
};

/** Queries never refreshed by events: verifying the audit chain reads all of it; it runs on request. */
const ON_REQUEST_ONLY = new Set(['audit.verify']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pure: does a change of `procedures` in `clusterId` (null = any cluster) make this query key stale? */
export function affects(key: readonly unknown[], procedures: ReadonlySet<string>, clusterId: string | null): boolean {
  const [name, arg] = key;
  if (typeof name !== 'string' || ON_REQUEST_ONLY.has(name)) return false;
  if (!procedures.has('*') && !procedures.has(name)) return false;
  // Keys scoped to another cluster are left alone; unscoped ones (lists, filters) are refreshed.
  return clusterId === null || typeof arg !== 'string' || !UUID.test(arg) || arg === clusterId;
}

/** Gathers events for LIVE_DEBOUNCE_MS, then invalidates once per affected query. */
function invalidator(qc: QueryClient) {
  let pending: { procedures: Set<string>; clusterId: string | null }[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const batch = pending;
    pending = [];
    void qc.invalidateQueries({
      predicate: (q: Query) => batch.some((b) => affects(q.queryKey, b.procedures, b.clusterId)),
    });
  };
  return {
    add(e: { type: string; clusterId?: string | null; clusterIds?: string[] }) {
      // An event about several clusters refreshes the affected queries of all of them.
      const clusterId = e.clusterIds
        ? e.clusterIds.length === 1
          ? (e.clusterIds[0] ?? null)
          : null
        : (e.clusterId ?? null);
      pending.push({ procedures: new Set(AFFECTS[e.type] ?? ['*']), clusterId });
      timer ??= setTimeout(flush, LIVE_DEBOUNCE_MS);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * Keeps the page's queries fresh from the server's events: for one cluster (`clusterId`) or for
 * every cluster (the overview, the audit log).
 */
export function useLiveInvalidation(opts: { clusterId?: string | undefined } = {}): {
  state: LiveState;
  live: boolean;
  fallbackPollMs: number | false;
} {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const everLive = useRef(false);
  const { clusterId } = opts;

  useEffect(() => {
    const inv = invalidator(qc);
    everLive.current = false;
    setState('connecting');
    const handlers = {
      onStarted: () => {
        // After a reconnect, events may have been missed: refresh what this page shows.
        if (everLive.current) inv.add({ type: 'resync', clusterId: clusterId ?? null });
        everLive.current = true;
        setState('live');
      },
      onData: (e: LiveEvent) => inv.add(e),
      onError: () => setState(everLive.current ? 'reconnecting' : 'connecting'),
      onConnectionStateChange: (s: { state: 'idle' | 'connecting' | 'pending' }) => {
        if (s.state === 'connecting') setState(everLive.current ? 'reconnecting' : 'connecting');
        else if (s.state === 'pending' && everLive.current) setState('live');
      },
    };
    const sub = clusterId
      ? api.live.cluster.subscribe({ clusterId }, handlers)
      : api.live.overview.subscribe(undefined, handlers);
    return () => {
      sub.unsubscribe();
      inv.cancel();
    };
  }, [qc, clusterId]);

  return { state, live: state === 'live', fallbackPollMs: state === 'live' ? false : LIVE_FALLBACK_POLL_MS };
}
