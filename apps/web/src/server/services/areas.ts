/** The four config areas built on config-area.ts: VRRP instances, health checks, pools, virtual servers. */
import type { HealthCheck, UpstreamPool, VirtualServer, VrrpInstance } from '@keepwatch/shared';
import { redactInstanceSecrets, redactVirtualServerSecrets } from '../auth/redact';
import { AppError } from '../errors';
import { configArea, rowAccess } from './config-area';
import { areaRows } from './rows';

/** The table of an area whose input field is also its audit target type (`pool` → `pool.create`), written by rows.ts. */
function area<S extends keyof typeof areaRows, K extends string>(what: string, field: K, specKey: S) {
  return {
    what,
    targetType: field,
    field,
    specKey,
    ...rowAccess(areaRows[specKey].model),
    ...areaRows[specKey],
    // Checks, pools and virtual servers are stored column for column (config-area.ts AreaTable).
    readsBackAsGiven: specKey !== 'vrrpInstances',
  };
}

export const instances = configArea<VrrpInstance, 'instance'>({
  ...area('VRRP instance', 'instance', 'vrrpInstances'),
  // The VRRPv2 password travels in clear on the wire (RFC 3768), but neither it nor an auth_hmac
  // key has a place in the audit log.
  redact: (o) => (o ? redactInstanceSecrets(o as VrrpInstance) : o),
});

export const checks = configArea<HealthCheck, 'check'>(area('health check', 'check', 'checks'));

export const pools = configArea<UpstreamPool, 'pool'>({
  ...area('pool', 'pool', 'pools'),
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
  ...area('virtual server', 'virtualServer', 'virtualServers'),
  // The audit log keeps that a user's password changed, not its hash.
  redact: (o) => (o ? redactVirtualServerSecrets(o as VirtualServer) : o),
});
