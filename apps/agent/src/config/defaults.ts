/** The agent's built-in defaults, in one place (after nginx/agent's `Def…` constants). */

/** The whole graceful stop (priority-0 adverts, VIPs removed, outbox flushed) must end within this. */
export const DEF_GRACEFUL_SHUTDOWN_MS = 5000;
/** How long nginx supervision waits for a master after starting nginx. */
export const DEF_NGINX_START_WAIT_MS = 2000;
/** Warm restart: a state file younger than this (and a master in it) lets a restarted agent keep its VIPs. */
export const DEF_WARM_RESTART_MAX_AGE_MS = 10_000;
/** Metrics endpoint path. */
export const DEF_METRICS_PATH = '/metrics';
