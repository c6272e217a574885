import { describe, expect, it } from 'vitest';
import { affects } from './live';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const TRANSITIONS = 'clusters.transitions';

/** A query (its key) and an event: the procedures it affects and its cluster (null: every cluster). */
type Case = [name: string, key: unknown[], procedures: string[], clusterId: string | null];

describe('live invalidation', () => {
  it.each<Case>([
    ["a query of the event's cluster is refreshed", [TRANSITIONS, A], [TRANSITIONS], A],
    ['a cross-cluster query (no cluster in its key) is refreshed', ['nodes.all'], ['nodes.all'], A],
    ['a query keyed by filters, not a cluster, is refreshed', ['audit.list', { actor: 'admin' }], ['audit.list'], A],
    ['`*` (a mutation, a resync) refreshes every query of the cluster', ['pools.list', A], ['*'], A],
    ["an event about every cluster refreshes every cluster's query", ['pools.list', B], ['*'], null],
  ])('%s', (_name, key, procedures, clusterId) => {
    expect(affects(key, new Set(procedures), clusterId)).toBe(true);
  });

  it.each<Case>([
    ['the same query of another cluster is left alone', [TRANSITIONS, B], [TRANSITIONS], A],
    ['a procedure the event does not affect is left alone', ['users.list'], [TRANSITIONS], null],
    ['the audit chain verification (it reads the whole chain) only runs on request', ['audit.verify'], ['*'], null],
  ])('%s', (_name, key, procedures, clusterId) => {
    expect(affects(key, new Set(procedures), clusterId)).toBe(false);
  });
});
