// Timer math, in one place (STYLE §F31), after RFC 3768 6.1 / RFC 5798 6.1 and keepalived's
// VRRP_TIMER_SKEW / VRRP_MS_DOWN_TIMER. Integer milliseconds throughout; fractions are floored.

/**
 * Skew_Time in ms: how much later a lower-priority backup declares the master down.
 * - v2 (RFC 3768 6.1): (256 − Priority) / 256 seconds.
 * - v3 (RFC 5798 6.1): ((256 − Priority) × Master_Adver_Interval) / 256.
 *
 * @param priority this router's effective priority, 1..255
 * @param masterAdverIntervalMs v3: the master's advert interval (ignored for v2)
 */
export function skewTime(version: 2 | 3, priority: number, masterAdverIntervalMs: number): number {
  return version === 2
    ? Math.floor(((256 - priority) * 1000) / 256)
    : Math.floor(((256 - priority) * masterAdverIntervalMs) / 256);
}

/**
 * How long a master going into maintenance keeps its VIPs at most, waiting for the new master's
 * first advert: 4 advert intervals, more than a backup's Skew_Time after the priority-0 advert
 * (and than its Master_Down_Interval if that advert is lost). Until then the segment's ARP caches
 * still point here, so the requests that arrive in between are served instead of lost.
 */
export function maintenanceHandoverMs(advertIntervalMs: number): number {
  return 4 * advertIntervalMs;
}

/**
 * Master_Down_Interval in ms: 3 × Master_Adver_Interval + Skew_Time (RFC 5798 6.1; RFC 3768 6.1
 * with Advertisement_Interval).
 */
export function masterDownInterval(version: 2 | 3, priority: number, masterAdverIntervalMs: number): number {
  return 3 * masterAdverIntervalMs + skewTime(version, priority, masterAdverIntervalMs);
}
