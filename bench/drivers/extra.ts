import type { DriverFactory } from './types.js';

/** Implementations measured beside keepalived (keepwatch-agent joins here once it runs VRRP). */
export const DRIVERS_EXTRA: Record<string, DriverFactory> = {};
