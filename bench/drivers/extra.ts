import type { DriverFactory } from './types.js';
import { keepwatchDriver } from './keepwatch.js';

/** Implementations measured beside keepalived. */
export const DRIVERS_EXTRA: Record<string, DriverFactory> = { keepwatch: keepwatchDriver };
