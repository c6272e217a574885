/**
 * Which virtual servers use which certificate (issue #17): a spec naming a certificate the cluster
 * does not have (or one ordered by ACME and not issued yet) is refused at commit, and a
 * certificate in use cannot be deleted. The spec's `tls` lives in a virtual server's `options`.
 */
import type { ClusterSpec } from '@keepwatch/shared';
import { AppError } from '../../errors';
import type { Db, Tx } from '../types';

/** The certificate a virtual server's TLS names, if any (spec object or the row's `options`). */
export function tlsCertificateOf(vs: unknown): string | undefined {
  const tls = (vs as { tls?: { certificate?: unknown } } | null)?.tls;
  return typeof tls?.certificate === 'string' ? tls.certificate : undefined;
}

/** The certificate names the spec's virtual servers use, in order, once each. */
export function specCertificateNames(spec: Pick<ClusterSpec, 'virtualServers'>): string[] {
  return [...new Set(spec.virtualServers.map(tlsCertificateOf).filter((n): n is string => n !== undefined))];
}

/**
 * Refuses (BAD_REQUEST, field `spec.virtualServers.N.tls.certificate`) a spec whose virtual server
 * names a certificate the cluster does not have or that is not issued yet (nothing to put on the nodes).
 */
export async function assertSpecCertificates(
  tx: Tx | Db,
  clusterId: string,
  spec: Pick<ClusterSpec, 'virtualServers'>,
): Promise<void> {
  const names = specCertificateNames(spec);
  if (names.length === 0) return;
  const rows = await tx.certificate.findMany({
    where: { clusterId, name: { in: names } },
    select: { name: true, notAfter: true },
  });
  const issued = new Map(rows.map((r) => [r.name, r.notAfter !== null]));
  for (const [i, vs] of spec.virtualServers.entries()) {
    const name = tlsCertificateOf(vs);
    if (name === undefined || issued.get(name) === true) continue;
    throw new AppError('BAD_REQUEST', {
      field: `spec.virtualServers.${i}.tls.certificate`,
      message:
        issued.get(name) === false
          ? `virtual server "${vs.name}" uses certificate "${name}", which is not issued yet: wait for its ACME order (see the Certificates page)`
          : `virtual server "${vs.name}" uses certificate "${name}", which this cluster does not have: upload or request it first`,
    });
  }
}

/** The names of the cluster's virtual servers (as stored now) whose TLS uses certificate `name`. */
export async function virtualServersUsing(tx: Tx | Db, clusterId: string, name: string): Promise<string[]> {
  const rows = await tx.virtualServer.findMany({
    where: { clusterId },
    select: { name: true, options: true },
    orderBy: { name: 'asc' },
  });
  return rows.filter((r) => tlsCertificateOf(r.options) === name).map((r) => r.name);
}
