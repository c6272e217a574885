// The VRRP part of the cluster spec: instances, their members, VIPs and what they track
// (keepalived `vrrp_instance`). Rules across objects are in cluster-rules.ts.
import { z } from 'zod';
import { VRRP_STATES } from '@keepwatch/vrrp';
import {
  AuthPassSchema,
  InterfaceNameSchema,
  IpAddressSchema,
  NameSchema,
  PrioritySchema,
  WeightSchema,
} from './grammar.js';

/** keepalived's default advert interval, 1 s. */
export const DEF_ADVERT_INTERVAL_MS = 1000;
/** keepalived `garp_master_delay` default: the second GARP burst 5 s after becoming master. */
export const DEF_GARP_MASTER_DELAY_MS = 5000;
/** keepalived `garp_master_repeat` default. */
export const DEF_GARP_MASTER_REPEAT = 5;
/** keepalived `garp_master_refresh_repeat` default. */
export const DEF_GARP_MASTER_REFRESH_REPEAT = 1;

const msSchema = (max: number) => z.number().int().min(0).max(max);

/** A VRRP state as reported by the agent: the RFC states in keepalived's spelling. */
export const VrrpStateSchema = z.enum(VRRP_STATES);
/** A VRRP state: @keepwatch/vrrp's one definition. */
export type { VrrpState } from '@keepwatch/vrrp';

/** A virtual IP address of an instance (keepalived `virtual_ipaddress` entry). */
export const VipSchema = z.strictObject({
  address: IpAddressSchema,
  /** Prefix length; absent means a host address (/32 or /128), as keepalived does. */
  prefix: z.number().int().min(0).max(128).optional(),
  /** Interface to add it on; absent means the instance's interface. */
  dev: InterfaceNameSchema.optional(),
});
/** A virtual IP address. */
export type Vip = z.infer<typeof VipSchema>;

/** One node's part in an instance: keepalived's per-host settings. */
export const VrrpMemberSchema = z.strictObject({
  node: NameSchema,
  priority: PrioritySchema,
  /** keepalived `state`: where the node starts. keepalived starts MASTER as backup until the down timer. */
  initialState: z.enum(['master', 'backup']),
  /** The interface on this node, when it differs from the instance's `interface`. */
  interface: InterfaceNameSchema.optional(),
  /** keepalived `unicast_src_ip`. */
  unicastSrcIp: IpAddressSchema.optional(),
  /** keepalived `unicast_peer`: when non-empty the node advertises by unicast to these peers only. */
  unicastPeers: z.array(IpAddressSchema).max(64).default([]),
});
/** One node's part in a VRRP instance. */
export type VrrpMember = z.infer<typeof VrrpMemberSchema>;

/** A tracked interface (keepalived `track_interface`). Weight 0: link down puts the instance in Fault. */
export const TrackInterfaceSchema = z.strictObject({
  interface: InterfaceNameSchema,
  weight: WeightSchema.default(0),
});
/** A tracked interface. */
export type TrackInterface = z.infer<typeof TrackInterfaceSchema>;

/** A tracked health check (keepalived `track_script`); `weight` overrides the check's own weight. */
export const TrackCheckSchema = z.strictObject({
  check: NameSchema,
  weight: WeightSchema.optional(),
});
/** A tracked health check. */
export type TrackCheck = z.infer<typeof TrackCheckSchema>;

/** One auth_hmac key (keepalived `key <id> hex:…`): a secret, redacted for viewers. */
export const AuthHmacKeySchema = z.strictObject({
  id: z.number().int().min(1).max(255),
  /** 32..64 bytes as hex: keepalived's bounds (32 bytes keep a 128-bit margin). */
  hex: z.string().regex(/^(?:[0-9a-fA-F]{2}){32,64}$/, 'an auth_hmac key is 32 to 64 bytes written as hex'),
});
/** One auth_hmac key. */
export type AuthHmacKey = z.infer<typeof AuthHmacKeySchema>;

/**
 * keepalived 2.4 `auth_hmac`: adverts signed with HMAC-SHA256 and protected against replay, v2
 * and v3, multicast and unicast. Migration is three edits — `receive-only`, then `permissive`,
 * then `enforce` — and a rotation is one edit (add the key and make it active; the old one may
 * go in the same edit): the rollout reaches backups first and they accept the previous settings
 * until they hear the master with the new key.
 */
export const AuthHmacSchema = z
  .strictObject({
    keys: z.array(AuthHmacKeySchema).min(1).max(16),
    /** keepalived `active_key`: the key that signs; one of `keys`. */
    activeKey: z.number().int().min(1).max(255),
    /**
     * keepalived `anti_replay`: `time` refuses a timestamp more than `timeWindowS` from the
     * receiver's clock, so the nodes' clocks must be synchronised (NTP); `monotonic` needs only
     * strictly growing sequences and no synchronised clocks.
     */
    antiReplay: z.enum(['time', 'monotonic']).default('time'),
    /** keepalived `time_window`, 1..300 s; absent = three advert intervals, at least 5 s. */
    timeWindowS: z.number().int().min(1).max(300).optional(),
    /** keepalived `mode`. */
    mode: z.enum(['receive-only', 'permissive', 'enforce']).default('enforce'),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<number>();
    a.keys.forEach((k, i) => {
      if (seen.has(k.id)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `key id ${k.id} twice` });
      seen.add(k.id);
    });
    if (!seen.has(a.activeKey)) {
      ctx.addIssue({ code: 'custom', path: ['activeKey'], message: `activeKey ${a.activeKey} is not one of the keys` });
    }
  });
/** keepalived `auth_hmac`. */
export type AuthHmac = z.infer<typeof AuthHmacSchema>;

/** A VRRP instance (keepalived `vrrp_instance`): one virtual router with its VIPs. */
export const VrrpInstanceSchema = z.strictObject({
  name: NameSchema,
  /** Virtual Router Identifier, 1..255 (keepalived `virtual_router_id`). */
  vrid: z.number().int().min(1).max(255),
  /** VRRP version: 2 (RFC 3768, IPv4 only) or 3 (RFC 5798). keepalived's default is 2. */
  version: z.union([z.literal(2), z.literal(3)]).default(2),
  /** Address family of the instance's adverts and VIPs. */
  family: z.union([z.literal(4), z.literal(6)]).default(4),
  /** keepalived `interface`, shared by members unless a member overrides it. */
  interface: InterfaceNameSchema,
  /** keepalived `advert_int` in ms: v2 whole seconds 1..255 s, v3 centiseconds 10 ms..40.95 s. */
  advertIntervalMs: z.number().int().min(10).max(255_000).default(DEF_ADVERT_INTERVAL_MS),
  members: z.array(VrrpMemberSchema).min(1).max(64),
  /** false = keepalived `nopreempt`. RFC 5798 default is preempt. */
  preempt: z.boolean().default(true),
  /** keepalived `preempt_delay` (it reads decimal seconds), up to 1000 s. */
  preemptDelayMs: msSchema(1_000_000).default(0),
  /** VRRPv2 simple-text authentication (keepalived `authentication { auth_type PASS }`). */
  authentication: z.strictObject({ type: z.literal('pass'), password: AuthPassSchema }).optional(),
  /** keepalived 2.4 `auth_hmac` (signed adverts); not together with `authentication`. */
  authHmac: AuthHmacSchema.optional(),
  vips: z.array(VipSchema).min(1).max(64),
  trackInterfaces: z.array(TrackInterfaceSchema).max(64).default([]),
  trackChecks: z.array(TrackCheckSchema).max(64).default([]),
  /** keepalived `garp_master_delay`: delay of the second gratuitous-ARP burst after becoming master. */
  garpMasterDelayMs: msSchema(3_600_000).default(DEF_GARP_MASTER_DELAY_MS),
  /** keepalived `garp_master_repeat`: gratuitous ARPs per burst. */
  garpMasterRepeat: z.number().int().min(1).max(255).default(DEF_GARP_MASTER_REPEAT),
  /** keepalived `garp_master_refresh`: periodic re-announcement while master; 0 = off. */
  garpMasterRefreshMs: msSchema(86_400_000).default(0),
  /** keepalived `garp_master_refresh_repeat`: gratuitous ARPs per refresh. */
  garpMasterRefreshRepeat: z.number().int().min(1).max(255).default(DEF_GARP_MASTER_REFRESH_REPEAT),
});
/** A VRRP instance. */
export type VrrpInstance = z.infer<typeof VrrpInstanceSchema>;
