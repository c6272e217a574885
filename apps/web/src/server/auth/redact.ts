/**
 * What roles below admin see of secrets inside a cluster spec: that a VRRPv2 password or an
 * auth_hmac key is set, not its value (admins edit and export them). Applied at the API's output,
 * so every reader of a stored spec (a revision, its diff) shares one rule; the audit log stores
 * instances through the same rule.
 */
import type { ClusterSpec, VrrpInstance } from '@keepwatch/shared';
import { mapInstanceSecrets } from '../services/spec-secrets';
import type { Role } from '../services/types';

export const REDACTED = '(redacted)';

type InstanceSecrets = Pick<VrrpInstance, 'authentication' | 'authHmac'>;

/** An instance with its password and auth_hmac keys replaced by {@link REDACTED} (key ids kept). */
export function redactInstanceSecrets<I extends Partial<InstanceSecrets>>(inst: I): I {
  return mapInstanceSecrets(inst, () => REDACTED);
}

/** The spec with each instance's secrets replaced by {@link REDACTED}. */
export function redactSpecSecrets<S extends Pick<ClusterSpec, 'vrrpInstances'>>(spec: S): S {
  return { ...spec, vrrpInstances: spec.vrrpInstances.map(redactInstanceSecrets) };
}

/** The spec as `role` may read it. */
export function specForRole<S extends Pick<ClusterSpec, 'vrrpInstances'>>(spec: S, role: Role): S {
  return role === 'admin' ? spec : redactSpecSecrets(spec);
}
