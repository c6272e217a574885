/** Options for a bounded poll. */
export type WaitOptions = {
  /** Give up after this long, in ms. */
  timeoutMs: number;
  /** Time between tries, in ms (default 20). */
  intervalMs?: number;
  /** What is being waited for, for the error message. */
  what: string;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, bounded in time and so
 * in tries. Throws with `what` and the last error when the time runs out. Never a fixed sleep:
 * the interval is only the pause between tries.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 20;
  const deadline = Date.now() + opts.timeoutMs;
  const maxTries = Math.ceil(opts.timeoutMs / Math.max(1, interval)) + 1;
  let lastError: unknown;
  for (let i = 0; i < maxTries; i++) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
}
