/** The agent's built-in defaults, in one place (after nginx/agent's `Def…` constants). */

/** The whole graceful stop (priority-0 adverts, VIPs removed, outbox flushed) must end within this. */
export const DEF_GRACEFUL_SHUTDOWN_MS = 5000;
/** How long nginx supervision waits for a master after starting nginx. */
export const DEF_NGINX_START_WAIT_MS = 2000;
/**
 * Warm restart: a state file that said master less than min(3 advert intervals, this) ago lets a
 * restarted agent resume as master and keep its VIPs.
 */
export const DEF_WARM_RESTART_MAX_AGE_MS = 10_000;
/** How often the running agent refreshes its warm-restart state file. */
export const DEF_WARM_STATE_REFRESH_MS = 200;
/** Metrics endpoint path. */
export const DEF_METRICS_PATH = '/metrics';
