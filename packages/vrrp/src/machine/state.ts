import type { AdvertAuth, ResolvedConfig } from './config.js';
import type { VrrpState } from './actions.js';

/** The master this backup last heard (any valid advert for the VRID), for admin decisions. */
export type HeardMaster = Readonly<{ address: string; priority: number; atMs: number }>;

/** The v2 settings a reconfigured instance still accepts from its peers for a while. */
export type PreviousAccepted = Readonly<{
  auth: AdvertAuth | null;
  advertIntervalMs: number;
  /** The previous VIP list (v2 drops an advert whose list differs, RFC 3768 7.1). */
  vips: readonly string[];
  until: number;
}>;

/**
 * One instance's whole state: immutable data, replaced by each `step`. Deadlines are absolute
 * monotonic ms, or null when not pending (STYLE §F30).
 */
export type InstanceState = Readonly<{
  config: ResolvedConfig;
  vrrpState: VrrpState;
  /** Status of each tracked check, by name. */
  checks: Readonly<Record<string, boolean>>;
  /** Interfaces now down: '' is the instance's own interface, others are `trackedInterfaces`. */
  interfacesDown: readonly string[];
  /** A standing admin promote. */
  promoted: boolean;
  /** Admin maintenance mode. */
  maintenance: boolean;
  /** Warm restart pending: the next `startup` resumes as Master (`InstanceConfig.resumeAsMaster`). */
  resumeAsMaster: boolean;
  /** Master_Adver_Interval (RFC 5798 6.1): learned from the master's adverts in v3 Backup. */
  masterAdverIntervalMs: number;
  /** Master: when to send the next periodic advert (Adver_Timer). */
  adverTimer: number | null;
  /** Backup: when to declare the master down (Master_Down_Timer). */
  masterDownTimer: number | null;
  /**
   * Backup with `preempt_delay`: lower-priority adverts are accepted until this time (keepalived
   * `preempt_time`). Not a tick deadline: it is compared when an advert arrives.
   */
  preemptDelayUntil: number | null;
  /** Master: the second GARP burst (`garp_master_delay`). */
  garpDelayTimer: number | null;
  /** Master: the next periodic GARP refresh (`garp_master_refresh`). */
  garpRefreshTimer: number | null;
  /** Whether the shell has been told to add the VIPs and not yet to remove them. */
  vipsHeld: boolean;
  /**
   * Backup after `maintenance-on` in Master: the VIPs are still held (make-before-break, like a
   * promote) until the new master's first advert is heard or this deadline passes
   * (`maintenanceHandoverMs`), whichever comes first. Null otherwise.
   */
  handoverUntil: number | null;
  /**
   * v2, after `reconfigure` changed the password or the advert interval: the previous ones, still
   * accepted on received adverts until `until`, or until a Backup hears the master advertise the
   * new ones (RFC 3768 7.1 would drop them). During a rollout the
   * nodes run different revisions for a while; this keeps a backup that applied first hearing the
   * master that has not yet. Null otherwise.
   */
  previousAccepted: PreviousAccepted | null;
  /** The master last heard in Backup (or the one that made this master step down). */
  heardMaster: HeardMaster | null;
  /**
   * Master: when it last answered a priority-0 or lower-priority advert at once. Answers are
   * limited to one per advert interval, so a flood of such adverts is not amplified one for one.
   */
  lastAnswerAt: number | null;
}>;
