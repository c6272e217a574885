import { addressBytes } from './address.js';

/** keepalived `vrrp_script` tracked by an instance (`track_script { NAME weight W }`). */
export type TrackedCheck = {
  /** The script's name, as the shell reports it in `track-changed` events. */
  name: string;
  /**
   * keepalived `weight`, −254..254. Positive: added to the priority while the check succeeds.
   * Negative: added while it fails. 0: a failure puts the instance in Fault.
   */
  weight: number;
  /**
   * Status before the first result arrives. Default true; keepalived `init_fail` means false.
   */
  initiallyOk?: boolean;
};

/** keepalived `authentication { auth_type PASS; auth_pass … }`, VRRPv2 only (RFC 3768 5.3.6). */
export type AdvertAuth = {
  type: 'pass';
  /** keepalived `auth_pass`: at most 8 bytes are significant, as on the wire. */
  password: string;
};

/**
 * The configuration of one VRRP instance (keepalived `vrrp_instance`). Validated at the boundary
 * (`@keepwatch/shared` zod schemas); `initialState` throws on values that break the machine's
 * own invariants.
 */
export type InstanceConfig = {
  /** Instance name (keepalived `vrrp_instance NAME`), used in logs and traces only. */
  name: string;
  /** keepalived `version` / `vrrp_version`: 2 (RFC 3768) or 3 (RFC 5798). */
  version: 2 | 3;
  /** Address family of the VIPs and adverts: 4 (224.0.0.18) or 6 (ff02::12, v3 only). */
  family: 4 | 6;
  /** keepalived `virtual_router_id`, 1..255. */
  vrid: number;
  /**
   * keepalived `priority`, 1..255. 255 is the address owner (RFC 5798 6.1): it goes straight to
   * Master at startup and its priority is never changed by tracked checks.
   */
  basePriority: number;
  /**
   * keepalived `advert_int`, in ms. v2: whole seconds (RFC 3768 5.3.7); v3: a multiple of 10 ms,
   * 10..40950 (RFC 5798 5.2.7).
   */
  advertIntervalMs: number;
  /** keepalived `virtual_ipaddress`: the VIPs, textual, without prefix length. */
  vips: readonly string[];
  /**
   * This router's primary address on the interface (keepalived `mcast_src_ip` / `unicast_src_ip`,
   * or the interface's first address): the source of our adverts, and the tie-break between
   * equal priorities (RFC 5798 6.4.3: the higher primary address wins).
   */
  primaryAddress: string;
  /**
   * Preemption (RFC 5798 6.1 Preempt_Mode). Default true. `false` is keepalived `nopreempt`:
   * a backup accepts a lower-priority master and does not take over from it. Ignored with
   * `initialState: 'master'` (keepalived).
   */
  preempt?: boolean;
  /**
   * keepalived `preempt_delay`, in ms (default 0): after this backup first hears a lower-priority
   * master, it keeps accepting that master's adverts for this long before it preempts. Ignored
   * with `initialState: 'master'` (keepalived).
   */
  preemptDelayMs?: number;
  /** keepalived `authentication` (v2 only; ignored with v3 as keepalived does). */
  auth?: AdvertAuth;
  /**
   * keepalived `unicast_peer { … }`. When set and non-empty, adverts from any other source are
   * dropped with reason `unknown-peer`, and the shell sends adverts to each peer instead of the
   * multicast group.
   */
  unicastPeers?: readonly string[];
  /** keepalived `track_script`: checks whose status changes the priority or causes Fault. */
  trackedChecks?: readonly TrackedCheck[];
  /**
   * keepalived `track_interface` (weight 0 only): besides the instance's own interface, these
   * interfaces put the instance in Fault while they are down (`interface-changed {name, up}`).
   */
  trackedInterfaces?: readonly string[];
  /**
   * keepalived `garp_master_delay`, ms (default 5000): the delay of the second burst of
   * gratuitous ARPs / unsolicited NAs after becoming master. 0: no second burst.
   */
  garpMasterDelayMs?: number;
  /** keepalived `garp_master_repeat` (default 5): messages per VIP in each burst. */
  garpMasterRepeat?: number;
  /**
   * keepalived `garp_master_refresh`, ms (default 0 = off): while master, repeat a burst this
   * often (the first refresh comes `garpMasterDelayMs + garpMasterRefreshMs` after becoming master).
   */
  garpMasterRefreshMs?: number;
  /** keepalived `garp_master_refresh_repeat` (default 1): messages per VIP in a refresh burst. */
  garpMasterRefreshRepeat?: number;
  /**
   * keepalived `state MASTER|BACKUP`, default 'backup'. As keepalived does, an instance configured
   * `MASTER` still starts as Backup and becomes Master when its Master_Down_Timer fires (unless
   * it is the address owner, 255, which goes straight to Master); and, as keepalived does,
   * `MASTER` turns `nopreempt` and `preempt_delay` off.
   */
  initialState?: 'master' | 'backup';
  /**
   * A `promote` that the shell persisted across a restart (README, admin semantics).
   * Default false.
   */
  promoted?: boolean;
  /** A `maintenance-on` that the shell persisted across a restart. Default false. */
  maintenance?: boolean;
  /**
   * Warm restart: the shell's state file says this instance was Master until a moment ago (the
   * agent crashed and was restarted before its peers' Master_Down_Timer could fire). `startup`
   * then goes straight to Master and re-announces at once, instead of waiting a
   * Master_Down_Interval in Backup, so a crash costs no failover. The shell must only set it
   * when the state is younger than a Master_Down_Interval. Ignored in Fault or maintenance.
   * keepalived has no equivalent (it always restarts in Backup). Default false.
   */
  resumeAsMaster?: boolean;
};

/** `InstanceConfig` with every default filled in (what the state carries). */
export type ResolvedConfig = Required<
  Omit<InstanceConfig, 'auth' | 'promoted' | 'maintenance' | 'trackedChecks' | 'resumeAsMaster'>
> & {
  auth: AdvertAuth | null;
  trackedChecks: readonly Required<TrackedCheck>[];
};

/** Defaults, as keepalived's. */
export const DEF_GARP_MASTER_DELAY_MS = 5000;
export const DEF_GARP_MASTER_REPEAT = 5;
export const DEF_GARP_MASTER_REFRESH_REPEAT = 1;
/** The owner's priority (RFC 5798 6.1). */
export const PRIORITY_OWNER = 255;
/** The priority a promoted instance advertises (README: admin semantics). */
export const PRIORITY_PROMOTED = 254;
/** Priority 0: the master is leaving (RFC 5798 6.4.3 / RFC 3768 6.4.3). */
export const PRIORITY_STOP = 0;

function fail(config: InstanceConfig, message: string): never {
  throw new Error(`invalid vrrp instance ${config.name}: ${message}`);
}

function intIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Fill the defaults and check the invariants the machine relies on; throws with the values. */
export function resolveConfig(config: InstanceConfig): ResolvedConfig {
  if (config.version !== 2 && config.version !== 3) fail(config, `version ${String(config.version)}`);
  if (config.family !== 4 && config.family !== 6) fail(config, `family ${String(config.family)}`);
  if (config.family === 6 && config.version === 2) fail(config, 'VRRPv2 is IPv4 only (RFC 3768)');
  if (!intIn(config.vrid, 1, 255)) fail(config, `vrid ${config.vrid} not in 1..255`);
  if (!intIn(config.basePriority, 1, 255)) fail(config, `priority ${config.basePriority} not in 1..255`);
  if (
    config.version === 2 &&
    !(intIn(config.advertIntervalMs, 1000, 255_000) && config.advertIntervalMs % 1000 === 0)
  ) {
    fail(config, `v2 advert interval ${config.advertIntervalMs} ms is not whole seconds 1..255`);
  }
  if (config.version === 3 && !(intIn(config.advertIntervalMs, 10, 40_950) && config.advertIntervalMs % 10 === 0)) {
    fail(config, `v3 advert interval ${config.advertIntervalMs} ms is not centiseconds 10..40950`);
  }
  const width = config.family === 4 ? 4 : 16;
  for (const a of [...config.vips, config.primaryAddress, ...(config.unicastPeers ?? [])]) {
    if (addressBytes(a)?.length !== width) fail(config, `address ${a} is not IPv${config.family}`);
  }
  const checks = (config.trackedChecks ?? [])
    .map((c) => {
      if (!intIn(c.weight, -254, 254)) fail(config, `check ${c.name} weight ${c.weight} not in -254..254`);
      return { name: c.name, weight: c.weight, initiallyOk: c.initiallyOk ?? true };
    })
    // keepalived drops an address owner's weighted track_scripts ("ignoring tracked script with
    // weights due to address_owner"): the owner's priority is always 255. Weight-0 ones still
    // put it in Fault.
    .filter((c) => config.basePriority !== PRIORITY_OWNER || c.weight === 0);
  const names = new Set(checks.map((c) => c.name));
  if (names.size !== checks.length) fail(config, 'tracked check names are not unique');
  const nonNegative = (v: number | undefined, what: string, dflt: number): number => {
    const r = v ?? dflt;
    if (!Number.isInteger(r) || r < 0) fail(config, `${what} ${r} is not a non-negative integer`);
    return r;
  };
  // keepalived clears nopreempt and preempt_delay on an instance with `state MASTER` ("will not
  // work with initial state MASTER - clearing").
  const initialState = config.initialState ?? 'backup';
  const preempt = initialState === 'master' ? true : (config.preempt ?? true);
  const preemptDelayMs = initialState === 'master' ? 0 : nonNegative(config.preemptDelayMs, 'preempt_delay', 0);
  const garpMasterRepeat = nonNegative(config.garpMasterRepeat, 'garp_master_repeat', DEF_GARP_MASTER_REPEAT);
  const garpMasterRefreshRepeat = nonNegative(
    config.garpMasterRefreshRepeat,
    'garp_master_refresh_repeat',
    DEF_GARP_MASTER_REFRESH_REPEAT,
  );
  return {
    name: config.name,
    version: config.version,
    family: config.family,
    vrid: config.vrid,
    basePriority: config.basePriority,
    advertIntervalMs: config.advertIntervalMs,
    vips: [...config.vips],
    primaryAddress: config.primaryAddress,
    preempt,
    preemptDelayMs,
    auth: config.version === 2 ? (config.auth ?? null) : null,
    unicastPeers: [...(config.unicastPeers ?? [])],
    trackedChecks: checks,
    trackedInterfaces: [...(config.trackedInterfaces ?? [])],
    garpMasterDelayMs: nonNegative(config.garpMasterDelayMs, 'garp_master_delay', DEF_GARP_MASTER_DELAY_MS),
    garpMasterRepeat,
    garpMasterRefreshMs: nonNegative(config.garpMasterRefreshMs, 'garp_master_refresh', 0),
    garpMasterRefreshRepeat,
    initialState,
  };
}
