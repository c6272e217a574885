import type { RejectReason } from '../codec/types.js';
import type { AdminCommand } from './events.js';

/** The VRRP states (RFC 5798 6.4) in keepalived's spelling, for validators elsewhere (zod enums). */
export const VRRP_STATES = ['initialize', 'backup', 'master', 'fault'] as const;

/** A VRRP state (RFC 5798 6.4), as a string union (STYLE §A6): the one definition in the project. */
export type VrrpState = (typeof VRRP_STATES)[number];

/** Why a transition happened. */
export type TransitionReason =
  /** Startup into Backup (or Fault) — RFC 5798 6.4.1. */
  | 'startup'
  /** Startup or leaving Fault as the address owner (priority 255) — RFC 5798 6.4.1. */
  | 'address-owner'
  /** Master_Down_Timer fired in Backup — RFC 5798 6.4.2. */
  | 'master-down-timer'
  /** A master heard a higher priority, or an equal one from a higher address — RFC 5798 6.4.3. */
  | 'higher-priority'
  /** A tracked check with weight 0 failed (keepalived vrrp_script). */
  | 'check-failed'
  /** The interface or a tracked interface went down. */
  | 'interface-down'
  /** Every fault cleared (keepalived leaves FAULT for BACKUP). */
  | 'fault-cleared'
  /** Admin `promote` (or a persisted promote at startup / when leaving Fault). */
  | 'promoted'
  /** Startup of an instance that was Master a moment ago (warm restart after a crash). */
  | 'warm-restart'
  /** Admin `maintenance-on`. */
  | 'maintenance'
  /** `shutdown` event — RFC 5798 6.4.3. */
  | 'shutdown';

/** Why an admin command was refused. */
export type AdminRefusal =
  /** The instance has not started (Initialize). */
  | 'not-running'
  /** The instance is in Fault: it cannot hold the VIP. */
  | 'fault'
  /** The instance is in maintenance: turn maintenance off first. */
  | 'maintenance'
  /** Another router advertises 254 (promoted) or 255 (address owner): promote cannot win. */
  | 'peer-priority'
  /** `release` without a standing promote. */
  | 'not-promoted';

/** Notices about an advert that was still processed (keepalived logs them). */
export type AdvertWarning = 'address-list-mismatch';

/**
 * What the shell must do, in list order (the shell contract, README). A closed union
 * (STYLE §F30).
 */
export type Action =
  /**
   * Send one advert with this priority: build it with `advertFor(state, priority)` and send it
   * to the multicast group (or to each unicast peer), TTL / hop limit 255.
   */
  | { type: 'send-advert'; priority: number }
  /** Add these VIPs to the interface (idempotent add, e.g. `ip addr replace`). */
  | { type: 'add-vips'; vips: readonly string[] }
  /** Remove these VIPs from the interface. */
  | { type: 'remove-vips'; vips: readonly string[] }
  /**
   * Send `count` gratuitous ARPs (IPv4) / unsolicited neighbour advertisements (IPv6) for each
   * of these VIPs. Only ever emitted while the VIPs are held.
   */
  | { type: 'send-garp'; vips: readonly string[]; count: number }
  /** The instance changed state; report it (log, dashboard, notify scripts). */
  | { type: 'transition'; from: VrrpState; to: VrrpState; reason: TransitionReason }
  /** An advert was discarded: count it under `reason` (the agent's drop counter). */
  | { type: 'drop'; reason: RejectReason; src: string; detail?: string }
  /** An advert was processed but something about it is wrong: log it (rate-limited). */
  | { type: 'advert-warning'; reason: AdvertWarning; src: string; detail: string }
  /** The effective priority changed (tracked checks, promote/release). */
  | { type: 'priority-changed'; from: number; to: number }
  /** The result of an admin command; `reason` is set when refused. */
  | { type: 'admin-result'; command: AdminCommand; accepted: true }
  | { type: 'admin-result'; command: AdminCommand; accepted: false; reason: AdminRefusal };
