// Test helpers for the InstanceRunner unit tests (not part of the build: __fixtures__ is excluded).
import { pino } from 'pino';
import type { InstanceConfig } from '@keepwatch/vrrp';
import { sampleInstanceConfig } from '@keepwatch/vrrp/testing';
import { AgentMetrics } from '../../metrics.js';
import type { Vip } from '../../vip/addresses.js';
import { InstanceRunner } from '../runner.js';

/** The sample instance (VI_1, VRID 51, 192.0.2.100, priority 100) at 100 ms adverts, primary address 192.0.2.1. */
export function runnerConfig(over: Partial<InstanceConfig> = {}): InstanceConfig {
  return sampleInstanceConfig({ advertIntervalMs: 100, primaryAddress: '192.0.2.1', ...over });
}

/** A /32 IPv4 VIP on `dev`. */
export const vip = (address: string, dev = 'eth0'): Vip => ({ address, prefix: 32, dev, family: 4 });

/**
 * A real runner (the real machine) on eth0 whose I/O is recorded in `events`, in order, instead of
 * touching the network: `advert <priority>`, `add <address> <dev>`, `remove <address> <dev>`,
 * `announce <address>`. Not started.
 */
export function recordingRunner(
  config: InstanceConfig,
  vips: readonly Vip[],
  metrics = new AgentMetrics({ defaultMetrics: false }),
): { r: InstanceRunner; events: string[]; metrics: AgentMetrics } {
  const events: string[] = [];
  const r = new InstanceRunner({
    config,
    iface: 'eth0',
    vips,
    sendAdvert: (a) => void events.push(`advert ${a.priority}`),
    addVips: async (v) => void events.push(...v.map((x) => `add ${x.address} ${x.dev}`)),
    removeVips: async (v) => void events.push(...v.map((x) => `remove ${x.address} ${x.dev}`)),
    announce: (v) => void events.push(...v.map((x) => `announce ${x.address}`)),
    now: () => performance.now(),
    log: pino({ level: 'silent' }),
    metrics,
  });
  return { r, events, metrics };
}
