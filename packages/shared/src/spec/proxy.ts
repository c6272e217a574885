// The nginx part of the cluster spec: upstream pools and virtual servers.
import { z } from 'zod';
import {
  HeaderNameSchema,
  HeaderValueSchema,
  IpAddressSchema,
  LocationPrefixSchema,
  NameSchema,
  NginxVariableSchema,
  PortSchema,
  ServerNameSchema,
} from './grammar.js';
import { locationProxyHostFields, virtualServerProxyHostFields } from './proxy-host.js';
import { TlsSchema } from './tls.js';

/** nginx upstream balancing method (`least_conn`, `ip_hash`, `hash KEY [consistent]`, `random`). */
export const BalanceMethodSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('round_robin') }),
  z.strictObject({ type: z.literal('least_conn') }),
  z.strictObject({ type: z.literal('ip_hash') }),
  z.strictObject({
    type: z.literal('hash'),
    /** The key: allowed nginx variables, concatenated. */
    key: z.array(NginxVariableSchema).min(1).max(4),
    /** ketama consistent hashing. */
    consistent: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('random') }),
]);
/** An upstream balancing method. */
export type BalanceMethod = z.infer<typeof BalanceMethodSchema>;

/** One backend of a pool (nginx upstream `server`). Absent optionals render nothing (nginx defaults). */
export const UpstreamServerSchema = z.strictObject({
  address: IpAddressSchema,
  port: PortSchema,
  /** nginx default 1. */
  weight: z.number().int().min(1).max(1000).optional(),
  /** nginx default 1; 0 disables failure accounting. */
  maxFails: z.number().int().min(0).max(1000).optional(),
  /** nginx default 10 s. Whole seconds: nginx parses `fail_timeout` in seconds only. */
  failTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .multipleOf(1000, { message: 'must be whole seconds (a multiple of 1000): nginx refuses ms here' })
    .optional(),
  backup: z.boolean().default(false),
  /** Marked down: no new requests ("drain" renders this; open connections finish on reload). */
  down: z.boolean().default(false),
});
/** One backend of a pool. */
export type UpstreamServer = z.infer<typeof UpstreamServerSchema>;

/** An upstream pool (nginx `upstream`). */
export const UpstreamPoolSchema = z.strictObject({
  name: NameSchema,
  method: BalanceMethodSchema.default({ type: 'round_robin' }),
  /** nginx `keepalive`: idle connections to keep per worker; absent = none. */
  keepalive: z.number().int().min(1).max(10_000).optional(),
  servers: z.array(UpstreamServerSchema).min(1).max(1024),
});
/** An upstream pool. */
export type UpstreamPool = z.infer<typeof UpstreamPoolSchema>;

/** A `listen` socket of a virtual server; absent address means all addresses (`*`). */
export const ListenSchema = z.strictObject({
  address: IpAddressSchema.optional(),
  port: PortSchema,
  defaultServer: z.boolean().default(false),
  /**
   * Terminate TLS on this socket (`listen … ssl`); the virtual server needs `tls`. Absent = plain,
   * without a default: a spec without TLS must parse to what agents from before TLS accept.
   */
  ssl: z.boolean().optional(),
});
/** A `listen` socket. */
export type Listen = z.infer<typeof ListenSchema>;

/** A header sent to the upstream (`proxy_set_header`). */
export const ProxyHeaderSchema = z.strictObject({ name: HeaderNameSchema, value: HeaderValueSchema });
/** A header sent to the upstream. */
export type ProxyHeader = z.infer<typeof ProxyHeaderSchema>;

/** A `proxy_*_timeout` in ms, 1 to `max`; absent = nginx default (60 s). */
const proxyTimeoutMs = (max: number) => z.number().int().min(1).max(max).optional();

/** A prefix location proxying to a pool. */
export const LocationSchema = z.strictObject({
  path: LocationPrefixSchema,
  pool: NameSchema,
  /** `proxy_connect_timeout`. */
  proxyConnectTimeoutMs: proxyTimeoutMs(3_600_000),
  /** `proxy_read_timeout`. */
  proxyReadTimeoutMs: proxyTimeoutMs(86_400_000),
  /** `proxy_send_timeout`. */
  proxySendTimeoutMs: proxyTimeoutMs(86_400_000),
  headers: z.array(ProxyHeaderSchema).max(64).default([]),
  ...locationProxyHostFields,
});
/** A prefix location. */
export type Location = z.infer<typeof LocationSchema>;

/** A virtual server (nginx `server` block). */
export const VirtualServerSchema = z.strictObject({
  name: NameSchema,
  listen: z.array(ListenSchema).min(1).max(32),
  serverNames: z.array(ServerNameSchema).max(64).default([]),
  /** At least one location or redirect (proxy-host-rules.ts): a server of redirects only is a host redirect. */
  locations: z.array(LocationSchema).max(256),
  ...virtualServerProxyHostFields,
  /** TLS on the `ssl` listens (spec/tls.ts). */
  tls: TlsSchema.optional(),
});
/** A virtual server. */
export type VirtualServer = z.infer<typeof VirtualServerSchema>;
