/**
 * The cluster spec: the single definition of a cluster — nodes, VRRP instances with VIPs, health
 * checks, upstream pools and virtual servers. Per-object schemas check each value's grammar;
 * every rule that relates two fields or two objects runs in the one `superRefine` at the end
 * (STYLE §D21), written in cluster-rules.ts, so there is exactly one place to read them. The
 * per-object parts: vrrp-instance.ts, checks.ts, proxy.ts.
 */
import { z } from 'zod';
import { InterfaceNameSchema, IpAddressSchema, NameSchema } from './grammar.js';
import { VrrpInstanceSchema } from './vrrp-instance.js';
import { HealthCheckSchema } from './checks.js';
import { UpstreamPoolSchema, VirtualServerSchema } from './proxy.js';
import { checkInstances, checkPoolsAndServers, unique, uniqueField, type Issue } from './cluster-rules.js';
import { checkProxyHosts } from './proxy-host-rules.js';
import { checkTls } from './tls-rules.js';

/** A load-balancer host. `name` is what the agent matches against its own configured node name. */
export const NodeSchema = z.strictObject({
  name: NameSchema,
  /** The node's own addresses (management / primary); used for unicast defaults and display. */
  addresses: z.array(IpAddressSchema).max(64).default([]),
  /** Interfaces the spec may use on this node (instance interface, VIP devices, tracked links). */
  interfaces: z.array(InterfaceNameSchema).min(1).max(64),
});
/** A load-balancer host. */
export type Node = z.infer<typeof NodeSchema>;

/** The object shape of the cluster spec, before its cross-field rules. */
export const ClusterSpecObjectSchema = z.strictObject({
  name: NameSchema,
  nodes: z.array(NodeSchema).min(1).max(64),
  vrrpInstances: z.array(VrrpInstanceSchema).max(255).default([]),
  checks: z.array(HealthCheckSchema).max(256).default([]),
  pools: z.array(UpstreamPoolSchema).max(1024).default([]),
  virtualServers: z.array(VirtualServerSchema).max(1024).default([]),
});

/**
 * The cluster spec with every cross-field rule. Parse with `safeParse`; issue paths name the
 * offending field (`vrrpInstances.0.vips.1.address`). {@link formatZodError} renders them.
 */
export const ClusterSpecSchema = ClusterSpecObjectSchema.superRefine((spec, ctx) => {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  uniqueField(spec.nodes, ['nodes'], 'name', 'node name', issue);
  uniqueField(spec.vrrpInstances, ['vrrpInstances'], 'name', 'instance name', issue);
  uniqueField(spec.checks, ['checks'], 'name', 'check name', issue);
  uniqueField(spec.pools, ['pools'], 'name', 'pool name', issue);
  uniqueField(spec.virtualServers, ['virtualServers'], 'name', 'virtual server name', issue);
  spec.nodes.forEach((n, i) =>
    unique(
      n.interfaces,
      (s) => s,
      (j) => ['nodes', i, 'interfaces', j],
      'interface',
      issue,
    ),
  );
  checkInstances(spec, issue);
  checkPoolsAndServers(spec, issue);
  checkProxyHosts(spec, issue);
  checkTls(spec, issue);
});
/** The cluster spec, as parsed (defaults applied). */
export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;
/** The cluster spec as written (defaults may be omitted). */
export type ClusterSpecInput = z.input<typeof ClusterSpecSchema>;
