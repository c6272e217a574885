import { describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../machine/config.js';
import { config as instanceConfig } from '../machine/__fixtures__/instance.js';
import { SimNetwork } from './network.js';

/** The machine tests' instance, with 0.1 s adverts, at 192.0.2.<host>. */
function config(host: number, basePriority: number): InstanceConfig {
  return instanceConfig({ basePriority, advertIntervalMs: 100, primaryAddress: `192.0.2.${host}` });
}

function segment(options: ConstructorParameters<typeof SimNetwork>[0]): SimNetwork {
  const net = new SimNetwork(options);
  net.addRouter('r1', config(11, 150));
  net.addRouter('r2', config(12, 100));
  return net;
}

/** Both routers started at once, the segment run until `untilMs`. */
function started(options: ConstructorParameters<typeof SimNetwork>[0], untilMs: number): SimNetwork {
  const net = segment(options);
  net.start('r1');
  net.start('r2');
  net.runUntil(untilMs);
  return net;
}

function masters(net: SimNetwork): string[] {
  return net
    .view()
    .filter((v) => v.state?.vrrpState === 'master')
    .map((v) => v.name);
}

describe('sim', () => {
  describe('network', () => {
    it('elects one master on a clean segment, with the fake clock jumping between deadlines', () => {
      const net = started({ seed: 1 }, 2000);
      expect(net.now).toBe(2000);
      expect(masters(net)).toEqual(['r1']);
      expect(net.router('r1').holdsVips).toBe(true);
      expect(net.stats.copiesLost).toBe(0);
    });

    it('loses every copy at loss rate 1: both become master', () => {
      const net = started({ seed: 1, conditions: { lossRate: 1 } }, 2000);
      expect(masters(net)).toEqual(['r1', 'r2']);
      expect(net.stats.copiesDelivered).toBe(0);
    });

    it('duplicates every copy at duplicate rate 1', () => {
      const net = started({ seed: 1, conditions: { duplicateRate: 1 } }, 1000);
      expect(net.stats.copiesDuplicated).toBe(net.stats.advertsSent);
      expect(net.stats.copiesDelivered).toBe(2 * net.stats.advertsSent);
    });

    it('keeps adverts inside a partition and joins the parts on heal', () => {
      const net = started({ seed: 1 }, 1000);
      net.partition([['r1'], ['r2']]);
      expect(net.components()).toEqual([['r1'], ['r2']]);
      net.runUntil(2000);
      expect(masters(net)).toEqual(['r1', 'r2']);
      net.heal();
      net.runUntil(2300);
      expect(masters(net)).toEqual(['r1']);
    });

    it('a crashed router loses its VIPs and receives nothing', () => {
      const net = started({ seed: 1 }, 1000);
      net.crash('r1');
      expect(net.router('r1').holdsVips).toBe(false);
      net.runUntil(2000);
      expect(masters(net)).toEqual(['r2']);
    });

    it('is deterministic for a seed, and the codec and object wires give the same trace', () => {
      const trace = (wire: 'codec' | 'objects', seed: number) => {
        const net = started({ seed, wire, conditions: { lossRate: 0.2, delayMinMs: 0, delayMaxMs: 20 } }, 5000);
        return net.trace();
      };
      expect(trace('codec', 9)).toBe(trace('codec', 9));
      expect(trace('objects', 9)).toBe(trace('codec', 9));
    });

    it('runs scheduled calls at their time', () => {
      const net = segment({ seed: 1 });
      const seen: number[] = [];
      net.at(250, () => seen.push(net.now));
      net.runUntil(1000);
      expect(seen).toEqual([250]);
      expect(() => net.at(10, () => undefined)).toThrow(/cannot schedule/);
    });
  });
});
