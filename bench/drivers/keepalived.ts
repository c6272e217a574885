import { readFileSync } from 'node:fs';
import { referenceKeepalived, type LabKeepalived } from '@keepwatch/lab';
import type { DriverFactory } from './types.js';
import { procUsage } from './usage.js';

/**
 * keepalived 2.2.7 with the reference scenario's configuration (its check script adapted to the
 * lab), at the benchmark's VRRP version and advert interval.
 */
export const keepalivedDriver: DriverFactory = (lab, nginx, opts) => {
  const ka: Record<string, LabKeepalived> = {};
  for (const lb of ['lb1', 'lb2'] as const) {
    const { keepalived } = referenceKeepalived(lab, nginx[lb], lb === 'lb1' ? 'master' : 'backup', {
      fast: opts.version === 3,
      checkIntervalS: opts.checkIntervalS,
    });
    if (opts.version === 3 && opts.advertIntervalMs !== 100) {
      keepalived.configure(
        readFileSync(keepalived.confPath, 'utf8').replace(
          'advert_int 0.1',
          `advert_int ${opts.advertIntervalMs / 1000}`,
        ),
      );
    }
    ka[lb] = keepalived;
  }
  return {
    name: 'keepalived',
    async start(lb) {
      await ka[lb]!.start();
    },
    async stop(lb) {
      await ka[lb]!.stop();
    },
    async kill(lb) {
      await ka[lb]!.kill();
    },
    usage(lb) {
      return procUsage([ka[lb]!.pid(), ka[lb]!.vrrpPid()].filter((p): p is number => p !== null));
    },
  };
};
