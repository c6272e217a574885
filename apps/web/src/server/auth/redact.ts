/**
 * What roles below admin see of secrets inside a cluster spec: that a VRRPv2 password is set, not
 * its value (admins edit it and export it). Applied at the API's output, so every reader of a
 * stored spec (a revision, its diff) shares one rule.
 */
import type { ClusterSpec } from '@keepwatch/shared';
import type { Role } from '../services/types';

export const REDACTED = '(redacted)';

/** The spec with each instance's password replaced by {@link REDACTED}. */
export function redactSpecSecrets<S extends Pick<ClusterSpec, 'vrrpInstances'>>(spec: S): S {
  return {
    ...spec,
    vrrpInstances: spec.vrrpInstances.map((i) =>
      i.authentication ? { ...i, authentication: { ...i.authentication, password: REDACTED } } : i,
    ),
  };
}

/** The spec as `role` may read it. */
export function specForRole<S extends Pick<ClusterSpec, 'vrrpInstances'>>(spec: S, role: Role): S {
  return role === 'admin' ? spec : redactSpecSecrets(spec);
}
