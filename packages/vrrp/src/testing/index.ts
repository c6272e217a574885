// A sample instance configuration for the tests of code that runs or renders VRRP instances: one
// valid configuration, changed per test by overrides. Tests only: `@keepwatch/vrrp/testing`, not
// the main entry.
import type { InstanceConfig } from '../machine/config.js';

/** VI_1: a v3, IPv4, 1 s instance, VRID 51 for 192.0.2.100, at priority 100 with primary address 192.0.2.10. */
export function sampleInstanceConfig(over: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    name: 'VI_1',
    version: 3,
    family: 4,
    vrid: 51,
    basePriority: 100,
    advertIntervalMs: 1000,
    vips: ['192.0.2.100'],
    primaryAddress: '192.0.2.10',
    ...over,
  };
}
