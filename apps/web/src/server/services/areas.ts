/** The four config areas built on config-area.ts: VRRP instances, health checks, pools, virtual servers. */
import type { HealthCheck, UpstreamPool, VirtualServer, VrrpInstance } from '@keepwatch/shared';
import { redactInstanceSecrets } from '../auth/redact';
import { AppError } from '../errors';
import { configArea, rowAccess } from './config-area';
import {
  insertCheck,
  insertInstance,
  insertPool,
  insertVirtualServer,
  replaceInstance,
  replacePool,
  replaceVirtualServer,
} from './rows';

export const instances = configArea<VrrpInstance, 'instance'>({
  what: 'VRRP instance',
  targetType: 'instance',
  field: 'instance',
  specKey: 'vrrpInstances',
  ...rowAccess('vrrpInstance'),
  insert: (tx, clusterId, obj) => insertInstance(tx, clusterId, obj),
  replace: (tx, clusterId, id, obj) => replaceInstance(tx, clusterId, id, obj),
  // The VRRPv2 password travels in clear on the wire (RFC 3768), but neither it nor an auth_hmac
  // key has a place in the audit log.
  redact: (o) => (o ? redactInstanceSecrets(o as VrrpInstance) : o),
});

export const checks = configArea<HealthCheck, 'check'>({
  what: 'health check',
  targetType: 'check',
  field: 'check',
  specKey: 'checks',
  ...rowAccess('healthCheck'),
  insert: (tx, clusterId, obj) => insertCheck(tx, clusterId, obj),
  replace: async (tx, clusterId, id, obj) => {
    const before = await tx.healthCheck.findUniqueOrThrow({ where: { id }, select: { name: true } });
    await tx.healthCheck.update({ where: { id }, data: { name: obj.name, kind: obj.kind, definition: obj as never } });
    // Instances track checks by name: a rename follows into their trackChecks, so renaming a
    // tracked check does not need the tracking removed first.
    if (before.name !== obj.name) {
      const tracking = await tx.vrrpInstance.findMany({
        where: { clusterId },
        select: { id: true, trackChecks: true },
      });
      for (const inst of tracking) {
        const list = inst.trackChecks as { check: string; weight?: number }[];
        if (list.some((t) => t.check === before.name)) {
          await tx.vrrpInstance.update({
            where: { id: inst.id },
            data: { trackChecks: list.map((t) => (t.check === before.name ? { ...t, check: obj.name } : t)) },
          });
        }
      }
    }
  },
});

export const pools = configArea<UpstreamPool, 'pool'>({
  what: 'pool',
  targetType: 'pool',
  field: 'pool',
  specKey: 'pools',
  ...rowAccess('upstreamPool'),
  insert: (tx, clusterId, obj) => insertPool(tx, clusterId, obj),
  replace: (tx, _clusterId, id, obj) => replacePool(tx, id, obj),
  beforeDelete: async (tx, id) => {
    const users = await tx.location.findMany({
      where: { poolId: id },
      select: { path: true, virtualServer: { select: { name: true } } },
    });
    if (users.length > 0) {
      throw new AppError('CONFLICT', {
        field: 'id',
        message: `the pool is used by ${users.map((u) => `virtual server "${u.virtualServer.name}" location ${u.path}`).join(', ')}; change those first`,
      });
    }
  },
});

export const virtualServers = configArea<VirtualServer, 'virtualServer'>({
  what: 'virtual server',
  targetType: 'virtualServer',
  field: 'virtualServer',
  specKey: 'virtualServers',
  ...rowAccess('virtualServer'),
  insert: (tx, clusterId, obj) => insertVirtualServer(tx, clusterId, obj),
  replace: (tx, clusterId, id, obj) => replaceVirtualServer(tx, clusterId, id, obj),
});
