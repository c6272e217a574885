// This node's part of a cluster spec, as the VRRP machine sees it. Pure: the composition of
// (spec, node, admin state) into instance configs, unit-tested; the shell supplies the one thing
// it cannot know (each instance's source address, from the interface) and the warm-restart set.
import type { InstanceConfig } from '@keepwatch/vrrp';
import { defaultTimeWindowS, type AuthHmacConfig } from '@keepwatch/vrrp/auth-hmac';
import type { ClusterSpec, VrrpInstance, VrrpMember } from '@keepwatch/shared';
import type { Vip } from '../vip/addresses.js';
import type { AdminState } from '../control/commands.js';

/** One instance this node is a member of, with its interface and VIPs resolved. */
export type NodeInstance = { instance: VrrpInstance; member: VrrpMember; iface: string; vips: Vip[] };

/** The instances `node` is a member of, in spec order, with VIP prefixes and devices defaulted. */
export function nodeInstances(spec: ClusterSpec, node: string): NodeInstance[] {
  const out: NodeInstance[] = [];
  for (const instance of spec.vrrpInstances) {
    const member = instance.members.find((m) => m.node === node);
    if (!member) continue;
    const iface = member.interface ?? instance.interface;
    const vips = instance.vips.map((v) => ({
      address: v.address,
      prefix: v.prefix ?? (instance.family === 4 ? 32 : 128),
      dev: v.dev ?? iface,
      family: instance.family,
    }));
    out.push({ instance, member, iface, vips });
  }
  return out;
}

/** What the shell found out for one instance before it starts. */
export type InstanceStart = {
  /** The address adverts go out from (`unicastSrcIp`, or the interface's primary address). */
  primaryAddress: string;
  /** A warm restart of an instance that was master a moment ago. */
  resumeAsMaster: boolean;
};

/**
 * The machine's config of one of this node's instances: the spec's settings, this member's
 * priority and peers, the tracked checks' weights, and the operator's sticky overrides (a
 * standing promote goes straight back to Master; maintenance wins over it — vrrp README).
 */
export function instanceConfig(
  spec: ClusterSpec,
  m: NodeInstance,
  admin: AdminState,
  start: InstanceStart,
): InstanceConfig {
  const { instance, member } = m;
  const checks = new Map(spec.checks.map((c) => [c.name, c]));
  return {
    name: instance.name,
    version: instance.version,
    family: instance.family,
    vrid: instance.vrid,
    basePriority: member.priority,
    advertIntervalMs: instance.advertIntervalMs,
    vips: m.vips.map((v) => v.address),
    primaryAddress: start.primaryAddress,
    preempt: instance.preempt,
    preemptDelayMs: instance.preemptDelayMs,
    ...(instance.authentication ? { auth: { type: 'pass' as const, password: instance.authentication.password } } : {}),
    unicastPeers: member.unicastPeers,
    trackedChecks: instance.trackChecks.map((t) => {
      const c = checks.get(t.check);
      if (!c) throw new Error(`instance ${instance.name} tracks an unknown check "${t.check}"`);
      return { name: t.check, weight: t.weight ?? c.weight, initiallyOk: !c.initFail };
    }),
    trackedInterfaces: instance.trackInterfaces.map((t) => t.interface),
    garpMasterDelayMs: instance.garpMasterDelayMs,
    garpMasterRepeat: instance.garpMasterRepeat,
    garpMasterRefreshMs: instance.garpMasterRefreshMs,
    garpMasterRefreshRepeat: instance.garpMasterRefreshRepeat,
    initialState: member.initialState,
    ...(start.resumeAsMaster ? { resumeAsMaster: true } : {}),
    ...(admin.promoted.includes(instance.name) ? { promoted: true } : {}),
    ...(admin.maintenance ? { maintenance: true } : {}),
  };
}

/** The instance's keepalived `auth_hmac` as the wire runs it (keys as bytes, window defaulted); null when off. */
export function authHmacConfig(instance: VrrpInstance): AuthHmacConfig | null {
  const a = instance.authHmac;
  if (!a) return null;
  return {
    keys: a.keys.map((k) => ({ id: k.id, key: Uint8Array.from(Buffer.from(k.hex, 'hex')) })),
    activeKey: a.activeKey,
    mode: a.mode,
    antiReplay: a.antiReplay,
    timeWindowS: a.timeWindowS ?? defaultTimeWindowS(instance.advertIntervalMs),
  };
}

/** The parts of a spec the VRRP instances and checks are built from; a change there is reconciled (reconcile/). */
export function vrrpPart(spec: ClusterSpec): string {
  return JSON.stringify([spec.nodes, spec.vrrpInstances, spec.checks]);
}
