import { describe, expect, it } from 'vitest';
import { affects } from './live';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('live invalidation', () => {
  it.each<{ name: string; key: unknown[]; procedures: string[]; clusterId: string | null; stale: boolean }>([
    {
      name: "a query of the event's cluster is refreshed",
      key: ['clusters.transitions', A],
      procedures: ['clusters.transitions'],
      clusterId: A,
      stale: true,
    },
    {
      name: 'the same query of another cluster is left alone',
      key: ['clusters.transitions', B],
      procedures: ['clusters.transitions'],
      clusterId: A,
      stale: false,
    },
    {
      name: 'a cross-cluster query (no cluster in its key) is refreshed',
      key: ['nodes.all'],
      procedures: ['nodes.all'],
      clusterId: A,
      stale: true,
    },
    {
      name: 'a query keyed by filters, not a cluster, is refreshed',
      key: ['audit.list', { actor: 'admin' }],
      procedures: ['audit.list'],
      clusterId: A,
      stale: true,
    },
    {
      name: 'a procedure the event does not affect is left alone',
      key: ['users.list'],
      procedures: ['clusters.transitions'],
      clusterId: null,
      stale: false,
    },
    {
      name: '`*` (a mutation, a resync) refreshes every query of the cluster',
      key: ['pools.list', A],
      procedures: ['*'],
      clusterId: A,
      stale: true,
    },
    {
      name: "an event about every cluster refreshes every cluster's query",
      key: ['pools.list', B],
      procedures: ['*'],
      clusterId: null,
      stale: true,
    },
    {
      name: 'the audit chain verification (it reads the whole chain) only runs on request',
      key: ['audit.verify'],
      procedures: ['*'],
      clusterId: null,
      stale: false,
    },
  ])('$name', ({ key, procedures, clusterId, stale }) => {
    expect(affects(key, new Set(procedures), clusterId)).toBe(stale);
  });
});
