// One of this node's instances as it runs: its runner (the machine) and its endpoint on the wire.
import type { Advert } from '@keepwatch/vrrp';
import type { ClusterSpec } from '@keepwatch/shared';
import type { AdminState } from '../control/commands.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import type { VrrpEndpoint, VrrpTransport } from '../transport/vrrp-transport.js';
import type { Vip, VipActuator } from '../vip/addresses.js';
import { AuthHmacEndpoint } from '@keepwatch/vrrp/auth-hmac';
import { authHmacConfig, instanceConfig, type NodeInstance } from './instances.js';
import { InstanceRunner, type InstanceRunnerDeps } from './runner.js';

export type LiveInstance = { runner: InstanceRunner; endpoint: VrrpEndpoint };

/** What building an instance needs of the agent (its modules, and where transitions go). */
export type LiveInstanceDeps = {
  log: Logger;
  metrics: AgentMetrics;
  transport: VrrpTransport;
  vips: VipActuator;
  announce(vips: readonly Vip[], count: number): void;
  primaryAddress(ifname: string, family: 4 | 6, exclude: readonly string[]): Promise<string>;
  /** Told of every transition, with the instance's VRID. */
  onTransition(vrid: number, t: Parameters<NonNullable<InstanceRunnerDeps['onTransition']>>[0]): void;
};

/**
 * Builds (does not start) one instance of `spec`: its source address (`unicastSrcIp`, or the
 * interface's primary address), its machine config, its runner and its endpoint.
 */
export async function buildLiveInstance(
  d: LiveInstanceDeps,
  spec: ClusterSpec,
  x: NodeInstance,
  admin: AdminState,
  resumeAsMaster: boolean,
): Promise<LiveInstance> {
  const exclude = x.vips.map((v) => v.address);
  const src = x.member.unicastSrcIp ?? (await d.primaryAddress(x.iface, x.instance.family, exclude));
  const config = instanceConfig(spec, x, admin, { primaryAddress: src, resumeAsMaster });
  const runner: InstanceRunner = new InstanceRunner({
    config,
    iface: x.iface,
    vips: x.vips,
    sendAdvert: (advert: Advert) => d.transport.send(config.name, advert),
    addVips: (v) => d.vips.add(v),
    removeVips: (v) => d.vips.remove(v),
    announce: (v, count) => d.announce(v, count),
    now: () => performance.now(),
    log: d.log,
    metrics: d.metrics,
    onTransition: (t) => d.onTransition(config.vrid, t),
  });
  const endpoint: VrrpEndpoint = {
    name: config.name,
    vrid: config.vrid,
    family: config.family,
    ifname: x.iface,
    src,
    unicastPeers: x.member.unicastPeers,
    auth: new AuthHmacEndpoint(authHmacConfig(x.instance), x.member.unicastPeers.length),
    onAdvert: (advert: Advert, from: string, ttl: number) =>
      void runner.deliver({ type: 'advert-received', advert, src: from, ttl }),
  };
  return { runner, endpoint };
}
