import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { appRouter } from './root';
import { apiForSuite, type Api, type Caller } from './testing/api';

type Needs = 'public' | 'viewer' | 'operator' | 'admin';

/**
 * Who may call what. Every procedure of the appRouter must have a row: the test reads the
 * router's own list, so a new procedure without a row fails here.
 */
const MATRIX: Record<string, Needs> = {
  'session.me': 'public',
  'session.login': 'public',
  'session.logout': 'viewer',
  'users.list': 'admin',
  'users.create': 'admin',
  'users.update': 'admin',
  'users.setPassword': 'admin',
  'clusters.list': 'viewer',
  'clusters.overview': 'viewer',
  'clusters.get': 'viewer',
  'clusters.create': 'admin',
  'clusters.import': 'admin',
  'clusters.rename': 'admin',
  'clusters.delete': 'admin',
  'clusters.revisions': 'viewer',
  'clusters.revision': 'viewer',
  'clusters.deployments': 'viewer',
  'clusters.transitions': 'viewer',
  'clusters.timeline': 'viewer',
  'clusters.live': 'viewer',
  'nodes.list': 'viewer',
  'nodes.all': 'viewer',
  'nodes.enroll': 'admin',
  'nodes.create': 'admin',
  'nodes.update': 'admin',
  'nodes.delete': 'admin',
  'nodes.issueEnrollToken': 'admin',
  'instances.list': 'viewer',
  'instances.create': 'admin',
  'instances.update': 'admin',
  'instances.delete': 'admin',
  'pools.list': 'viewer',
  'pools.create': 'admin',
  'pools.update': 'admin',
  'pools.delete': 'admin',
  'pools.preview': 'admin',
  'pools.previewDelete': 'admin',
  'virtualServers.list': 'viewer',
  'virtualServers.create': 'admin',
  'virtualServers.update': 'admin',
  'virtualServers.delete': 'admin',
  'virtualServers.preview': 'admin',
  'virtualServers.previewDelete': 'admin',
  'checks.list': 'viewer',
  'checks.create': 'admin',
  'checks.update': 'admin',
  'checks.delete': 'admin',
  'failover.status': 'viewer',
  'failover.promote': 'operator',
  'failover.release': 'operator',
  'failover.maintenance': 'operator',
  'audit.list': 'viewer',
  'audit.facets': 'viewer',
  'audit.verify': 'admin',
  'bootstrap.probe': 'admin',
  'bootstrap.host': 'admin',
  'bootstrap.start': 'admin',
  'bootstrap.job': 'admin',
  'bootstrap.jobs': 'admin',
  'bootstrap.forgetHostKey': 'admin',
  'transfer.previewImport': 'admin',
  'transfer.export': 'admin',
  'live.cluster': 'viewer',
  'live.overview': 'viewer',
  'live.audit': 'viewer',
  'rollout.status': 'viewer',
  'rollout.revertPreview': 'admin',
  'rollout.revert': 'admin',
  'rollout.abort': 'admin',
  'certificates.list': 'viewer',
  'certificates.upload': 'admin',
  'certificates.delete': 'admin',
  'certificates.replace': 'admin',
  'certificates.acmeAccount': 'viewer',
  'certificates.createAcmeAccount': 'admin',
  'certificates.requestAcme': 'admin',
  'certificates.renewNow': 'admin',
};

const RANK: Record<Needs, number> = { public: 0, viewer: 1, operator: 2, admin: 3 };
const ROLES = ['anonymous', 'viewer', 'operator', 'admin'] as const;
type Who = (typeof ROLES)[number];

const procedures = Object.keys(appRouter._def.procedures).sort();

function callByPath(caller: Caller, path: string, input: unknown): Promise<unknown> {
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

describe('role matrix', () => {
  let api: Api;
  apiForSuite((a) => {
    api = a;
  });

  it('has a row for every procedure of the router, and no row for a procedure that does not exist', () => {
    expect(procedures.length).toBeGreaterThan(30);
    expect(Object.keys(MATRIX).sort()).toEqual(procedures);
  });

  const cases = procedures.flatMap((path) => ROLES.map((who) => ({ path, who, needs: MATRIX[path] ?? 'admin' })));
  it.each(cases)(
    '$path as $who ($needs needed)',
    async ({ path, who, needs }: { path: string; who: Who; needs: Needs }) => {
      const caller = api[who];
      const rank = who === 'anonymous' ? 0 : RANK[who];
      // No input: an allowed caller gets past the role check and stops at input validation (or the
      // procedure runs, for those without input); a refused one never reaches the input.
      const outcome = await callByPath(caller, path, undefined).then(
        () => 'ok',
        (e: unknown) => (e instanceof TRPCError ? e.code : `unexpected ${String(e)}`),
      );
      if (rank >= RANK[needs]) {
        expect(['ok', 'BAD_REQUEST']).toContain(outcome);
      } else {
        expect(outcome).toBe(who === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
    },
  );
});
