// The simulation's data: link conditions, options, what a router shows and the queue of the
// segment (sim/network.ts runs it).
import type { Advert } from '../codec/types.js';
import type { InstanceConfig } from '../machine/config.js';
import type { InstanceState } from '../machine/state.js';

/** How the segment treats each copy of an advert. */
export type LinkConditions = {
  /** Probability that a copy to one receiver is lost, 0..1. */
  lossRate: number;
  /** Probability that a copy to one receiver arrives twice, 0..1. */
  duplicateRate: number;
  /** One-way delay of each copy, uniform in [delayMinMs, delayMaxMs], integer ms. */
  delayMinMs: number;
  delayMaxMs: number;
};

/** Options of a simulated segment. */
export type SimOptions = {
  /** Seed of the PRNG that decides loss, delay and duplication. */
  seed: number;
  /** Initial link conditions; default: no loss, no duplication, 1 ms delay. */
  conditions?: Partial<LinkConditions>;
  /**
   * 'codec' (default): adverts are encoded to bytes and decoded by each receiver, as on a real
   * segment. 'objects': `Advert` objects are passed as they are (faster; no codec in the loop).
   */
  wire?: 'codec' | 'objects';
  /**
   * 'summary' (default): scenario operations and every action except the periodic adverts of a
   * steady master. 'full': also periodic adverts, deliveries and losses.
   */
  trace?: 'summary' | 'full';
};

/** What the simulation shows of one router. */
export type SimRouterView = Readonly<{
  name: string;
  config: InstanceConfig;
  /** The process runs (false before the first start, after a crash or a shutdown). */
  alive: boolean;
  /** The machine's state, or null when the process is not running. */
  state: InstanceState | null;
  /** Whether the VIPs are on this router's interface (what the actions did). */
  holdsVips: boolean;
}>;

/** Counters over the run. */
export type SimStats = {
  advertsSent: number;
  copiesDelivered: number;
  copiesLost: number;
  copiesDuplicated: number;
  transitions: number;
  drops: number;
};

/** One simulated router (the process and what its actions did). */
export type Router = {
  name: string;
  config: InstanceConfig;
  alive: boolean;
  state: InstanceState | null;
  holdsVips: boolean;
};

/** A pending delivery or scheduled call, in time order (then `seq`). */
export type Queued =
  | {
      kind: 'delivery';
      at: number;
      seq: number;
      from: string;
      to: string;
      src: string;
      dst: string;
      payload: Uint8Array | Advert;
    }
  | { kind: 'call'; at: number; seq: number; run: () => void };
