/** What one run of a check found. */
export type CheckOutcome = {
  ok: boolean;
  detail?: string;
  /** nginx supervision: this run found nginx dead and started it again. */
  restarted?: boolean;
  /** Script checks: the process's exit status (absent when it was killed or never ran). */
  exitCode?: number;
  /** The run was cut off by the check's timeout. */
  timedOut?: boolean;
};

/**
 * One health check: how often it runs, how long a run may take, keepalived's rise/fall/init_fail,
 * and the probe itself. The probe must settle when `signal` aborts (the timeout), killing whatever
 * it started; it reports an expected failure as `{ ok: false }` and throws only on a bug.
 */
export type Check = {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
  initFail: boolean;
  probe(signal: AbortSignal): Promise<CheckOutcome>;
  /**
   * Optional: the check can ask for an immediate run (e.g. nginx supervision when the master
   * exits). Called once at start; returns an unsubscribe function.
   */
  subscribe?(wake: () => void): () => void;
  /** Optional clean-up when the scheduler stops. */
  close?(): void;
};
