import type { Advert } from '../codec/types.js';

/** Operator commands (README: admin semantics). */
export type AdminCommand = 'promote' | 'release' | 'maintenance-on' | 'maintenance-off';

/**
 * Everything that can happen to an instance (a closed union, STYLE §F30). The shell feeds each
 * to `step` with the current monotonic time.
 */
export type Event =
  /** Start the instance (RFC 5798 6.4.1 Startup). Only valid in Initialize. */
  | { type: 'startup' }
  /** Stop the instance gracefully (RFC 5798 6.4.3 Shutdown); back to Initialize. */
  | { type: 'shutdown' }
  /** The time `nextDeadline(state)` named has come (it may be late; all passed deadlines run). */
  | { type: 'tick' }
  /**
   * An advert the codec decoded from this instance's socket; the instance checks the rest (VRID,
   * auth, interval, peers, address list). `src` is the IP source address of the packet; `ttl` is
   * the TTL / hop limit if the shell has it (the codec already rejects anything but 255; a value
   * here is checked again).
   */
  | { type: 'advert-received'; advert: Advert; src: string; ttl?: number }
  /** A tracked check's status changed (after the shell's rise/fall counting). */
  | { type: 'track-changed'; name: string; ok: boolean }
  /**
   * The instance's interface (no `name`) or a `trackedInterfaces` member went up or down.
   */
  | { type: 'interface-changed'; up: boolean; name?: string }
  /** An operator command. */
  | { type: 'admin'; command: AdminCommand };

/** An `advert-received` event, as the Backup and Master advert handlers take it. */
export type AdvertEvent = Extract<Event, { type: 'advert-received' }>;

/** An `admin` event, as each state's admin handler takes it. */
export type AdminEvent = Extract<Event, { type: 'admin' }>;
