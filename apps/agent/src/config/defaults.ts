/** The agent's built-in defaults, in one place (after nginx/agent's `Def…` constants). */

/** The state directory when the config names none (AgentConfigSchema's default; a test keeps them equal). */
export const DEF_STATE_DIR = '/var/lib/keepwatch';
/** The whole graceful stop (priority-0 adverts, VIPs removed, outbox flushed) must end within this. */
export const DEF_GRACEFUL_SHUTDOWN_MS = 5000;
/** How long nginx supervision waits for a master after starting nginx. */
export const DEF_NGINX_START_WAIT_MS = 2000;
/**
 * Warm restart: a state file that said master less than min(3 advert intervals, this) ago lets a
 * restarted agent resume as master and keep its VIPs.
 */
export const DEF_WARM_RESTART_MAX_AGE_MS = 10_000;
/** Metrics endpoint path. */
export const DEF_METRICS_PATH = '/metrics';

/**
 * Control-plane reconnect: exponential backoff with jitter (after nginx/agent `backoff.go`).
 *
 *   base(n)  = min(DEF_RECONNECT_MAX_MS, DEF_RECONNECT_INITIAL_MS × DEF_RECONNECT_MULTIPLIER^n)
 *   delay(n) = base(n) × (1 − DEF_RECONNECT_JITTER × r),  r uniform in [0, 1) from the injected RNG
 *
 * n counts failed attempts since the last successful `welcome` (which resets it to 0). With the
 * values below the bases are 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, … ms, and with
 * r = 0.5 the delays are 375, 750, 1500, 3000, 6000, 12000, 22500, … ms: never more than the
 * base, never less than half of it, so many agents restarting together spread out.
 */
export const DEF_RECONNECT_INITIAL_MS = 500;
export const DEF_RECONNECT_MAX_MS = 30_000;
export const DEF_RECONNECT_MULTIPLIER = 2;
export const DEF_RECONNECT_JITTER = 0.5;
/** The outbox is written to the state directory at most this long after a change (and at stop). */
export const DEF_OUTBOX_FLUSH_MS = 200;
/** The outbox keeps at most this many unacked events; beyond it the oldest are dropped (and counted). */
export const DEF_OUTBOX_MAX_EVENTS = 10_000;
/** Heartbeat interval until the hub's `welcome` says otherwise. */
export const DEF_HEARTBEAT_INTERVAL_MS = 5000;
