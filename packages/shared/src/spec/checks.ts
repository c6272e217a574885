// The health checks of the cluster spec (keepalived `vrrp_script` semantics).
import { z } from 'zod';
import {
  AbsolutePathSchema,
  ArgvSchema,
  IpAddressSchema,
  LocationPrefixSchema,
  NameSchema,
  PortSchema,
  ServerNameSchema,
  ShellLineSchema,
  UnixNameSchema,
  WeightSchema,
} from './grammar.js';

/** keepalived `vrrp_script` default interval, 1 s. */
export const DEF_CHECK_INTERVAL_MS = 1000;

const checkCommon = {
  name: NameSchema,
  /** keepalived `interval`: time between runs. */
  intervalMs: z.number().int().min(10).max(4_294_000).default(DEF_CHECK_INTERVAL_MS),
  /** keepalived `timeout`: a run taking longer fails (its process group is killed). Absent: the interval. */
  timeoutMs: z.number().int().min(10).max(4_294_000).optional(),
  /**
   * keepalived `weight`, -254..254: on failure a negative weight is added to the priority, on
   * success a positive one; 0 means failure puts the tracking instances in Fault.
   */
  weight: WeightSchema.default(0),
  /** keepalived `fall`: consecutive failures before the check is failed. */
  fall: z.number().int().min(1).max(255).default(1),
  /** keepalived `rise`: consecutive successes before the check is healthy. */
  rise: z.number().int().min(1).max(255).default(1),
  /** keepalived `init_fail`: start in the failed state. */
  initFail: z.boolean().default(false),
  /** keepalived `user USER [GROUP]`: run as this user. Absent: the agent's script user. */
  user: z.strictObject({ user: UnixNameSchema, group: UnixNameSchema.optional() }).optional(),
};

/** The status classes a proxy check may expect; 5xx is what nginx answers when it cannot proxy. */
export const PROXY_STATUS_CLASSES = ['2xx', '3xx', '4xx'] as const;
/** A status class a proxy check may expect. */
export type ProxyStatusClass = (typeof PROXY_STATUS_CLASSES)[number];

/** The command of a script check: an argv executed directly, or a shell line run by `/bin/sh -c`. */
export const ScriptCommandSchema = z.union([
  z.strictObject({ argv: ArgvSchema }),
  z.strictObject({ shell: ShellLineSchema }),
]);
/** The command of a script check. */
export type ScriptCommand = z.infer<typeof ScriptCommandSchema>;

/** A health check (keepalived `vrrp_script` semantics), discriminated on `kind`. */
export const HealthCheckSchema = z.discriminatedUnion('kind', [
  /** keepalived `vrrp_script`: exit status 0 is healthy. */
  z.strictObject({ kind: z.literal('script'), ...checkCommon, command: ScriptCommandSchema }),
  /** The reference scenario's check: start nginx when it is not running; fail when it cannot be started. */
  z.strictObject({ kind: z.literal('nginx'), ...checkCommon }),
  /** HTTP GET; healthy when the status equals `expectStatus`. */
  z.strictObject({
    kind: z.literal('http'),
    ...checkCommon,
    address: IpAddressSchema,
    port: PortSchema,
    path: LocationPrefixSchema.default('/'),
    /** Host header; absent: the address. */
    host: ServerNameSchema.optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
  }),
  /** TCP connect; healthy when the connection is established within the timeout. */
  z.strictObject({ kind: z.literal('tcp'), ...checkCommon, address: IpAddressSchema, port: PortSchema }),
  /**
   * End to end through this node's own nginx: an HTTP GET to nginx's listen socket with the Host
   * of a virtual server; healthy when the answer's status class is expected. nginx's own 502/504
   * (no backend answered) never is, so a node whose nginx runs but cannot proxy fails it — and,
   * when an instance tracks it, gives up the VIP. Plain HTTP listens only.
   */
  z.strictObject({
    kind: z.literal('proxy'),
    ...checkCommon,
    /** Where nginx listens: 127.0.0.1 reaches a listen on all addresses (a VIP-bound listen needs the VIP, held by one node only). */
    address: IpAddressSchema.default('127.0.0.1'),
    port: PortSchema.default(80),
    /** The Host header: a server name of the virtual server the request goes through. */
    host: ServerNameSchema.refine((h) => !h.startsWith('*'), { message: 'must be a host name, not a wildcard' }),
    path: LocationPrefixSchema.default('/'),
    /** The status classes that count as the backend's answer. */
    expectStatus: z.array(z.enum(PROXY_STATUS_CLASSES)).min(1).max(PROXY_STATUS_CLASSES.length).default(['2xx', '3xx']),
  }),
  /** Process alive: the pid in `pidFile` names a live (not zombie) process. */
  z.strictObject({ kind: z.literal('process'), ...checkCommon, pidFile: AbsolutePathSchema }),
]);
/** A health check. */
export type HealthCheck = z.infer<typeof HealthCheckSchema>;
/** The kinds of health check. */
export type HealthCheckKind = HealthCheck['kind'];
