import type { Lab, LabNginx } from '@keepwatch/lab';

/** What a failover benchmark needs from an HA implementation on the two LB hosts. */
export type HaDriver = {
  name: string;
  /** Starts the HA daemon on an LB host (configured for `version`/`advertIntervalMs`). */
  start(lb: 'lb1' | 'lb2'): Promise<void>;
  /** Graceful stop (priority 0, VIPs removed). */
  stop(lb: 'lb1' | 'lb2'): Promise<void>;
  /** Crash: every process of the daemon SIGKILLed. */
  kill(lb: 'lb1' | 'lb2'): Promise<void>;
  /** Resident memory (kB) and CPU seconds used so far, summed over the daemon's processes on `lb`. */
  usage(lb: 'lb1' | 'lb2'): { rssKb: number; cpuSeconds: number };
};

export type DriverFactory = (
  lab: Lab,
  nginx: Record<'lb1' | 'lb2', LabNginx>,
  opts: { version: 2 | 3; advertIntervalMs: number; checkIntervalS: number },
) => HaDriver;
