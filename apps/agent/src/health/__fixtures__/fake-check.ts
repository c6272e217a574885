import type { Check, CheckOutcome } from '../check.js';

/**
 * A check whose probe answers `outcomes` in turn (the last one repeats); 'hang' answers only when
 * the scheduler aborts the run (a timeout). `runs` counts the probes.
 */
export function fakeCheck(outcomes: (CheckOutcome | 'hang')[], over: Partial<Check> = {}): Check & { runs: number } {
  const c = {
    name: 'c',
    intervalMs: 1000,
    timeoutMs: 500,
    fall: 1,
    rise: 1,
    initFail: false,
    runs: 0,
    probe(signal: AbortSignal): Promise<CheckOutcome> {
      const o = outcomes[Math.min(c.runs++, outcomes.length - 1)]!;
      if (o === 'hang')
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ ok: false, detail: 'aborted' })),
        );
      return Promise.resolve(o);
    },
    ...over,
  };
  return c;
}
