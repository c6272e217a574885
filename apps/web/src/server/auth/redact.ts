/**
 * What roles below admin see of secrets inside a cluster spec: that a VRRPv2 password, an
 * auth_hmac key or a basic-auth user's password hash is set, not its value (admins edit and
 * export them; a hash can be attacked offline). Applied at the API's output,
 * so every reader of a stored spec (a revision, its diff) shares one rule; the audit log stores
 * instances through the same rule.
 */
import type { ClusterSpec, VirtualServer, VrrpInstance } from '@keepwatch/shared';
import { mapInstanceSecrets } from '../services/spec-secrets';
import type { Role } from '../services/types';

export const REDACTED = '(redacted)';

type InstanceSecrets = Pick<VrrpInstance, 'authentication' | 'authHmac'>;

/** An instance with its password and auth_hmac keys replaced by {@link REDACTED} (key ids kept). */
export function redactInstanceSecrets<I extends Partial<InstanceSecrets>>(inst: I): I {
  return mapInstanceSecrets(inst, () => REDACTED);
}

/** A virtual server with each basic-auth user's password hash replaced by {@link REDACTED}. */
export function redactVirtualServerSecrets<V extends Partial<Pick<VirtualServer, 'access'>>>(vs: V): V {
  const auth = vs.access?.basicAuth;
  if (!vs.access || !auth) return vs;
  const users = auth.users.map((u) => ({ ...u, passwordHash: REDACTED }));
  return { ...vs, access: { ...vs.access, basicAuth: { ...auth, users } } };
}

/** The spec with each instance's and virtual server's secrets replaced by {@link REDACTED}. */
export function redactSpecSecrets<
  S extends Pick<ClusterSpec, 'vrrpInstances'> & Partial<Pick<ClusterSpec, 'virtualServers'>>,
>(spec: S): S {
  return {
    ...spec,
    vrrpInstances: spec.vrrpInstances.map(redactInstanceSecrets),
    ...(spec.virtualServers ? { virtualServers: spec.virtualServers.map(redactVirtualServerSecrets) } : {}),
  };
}

/** The spec as `role` may read it. */
export function specForRole<S extends Pick<ClusterSpec, 'vrrpInstances'>>(spec: S, role: Role): S {
  return role === 'admin' ? spec : redactSpecSecrets(spec);
}
