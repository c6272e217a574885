import { referenceSpec as labReferenceSpec } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';

/**
 * The reference scenario (two nginx LBs, one VIP, a pool of two web servers) as the dashboard's
 * unit tests know it: the lab's one reference spec with the tutorial's router ids (LVS_1, LVS_2)
 * and addresses, VRRPv2 at 1 s with its password.
 */
export function referenceSpec(name = 'reference'): ClusterSpecInput {
  return labReferenceSpec({ name, hosts: 'tutorial', version: 2 });
}
