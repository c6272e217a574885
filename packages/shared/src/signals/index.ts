// How a process that stops gracefully treats SIGINT/SIGTERM: the first begins the stop, a signal
// arriving a moment later means "exit now". A terminal's Ctrl-C reaches every process of the
// foreground group and launchers (tsx, the demo, npm) relay it too, so one keypress can arrive
// twice within milliseconds: a repeat inside SECOND_SIGNAL_AFTER_MS is the same Ctrl-C and is
// ignored. No imports: @keepwatch/shared's main entry is bundled into the browser, this subpath
// (`@keepwatch/shared/signals`) is for Node processes only.

/** A second signal counts as "exit now" only this long after the first (ms). */
export const SECOND_SIGNAL_AFTER_MS = 1000;

/** What a stop signal means: the first, an echo of it (ignored), or the impatient second one. */
export type StopSignalKind = 'first' | 'echo' | 'second';

/**
 * The pure rule: classifies each signal by its arrival time (monotonic or wall-clock ms, one
 * clock per classifier). Returns a function to call once per signal, in order.
 */
export function stopSignalClassifier(secondAfterMs = SECOND_SIGNAL_AFTER_MS): (now: number) => StopSignalKind {
  let firstAt: number | null = null;
  return (now) => {
    if (firstAt === null) {
      firstAt = now;
      return 'first';
    }
    return now - firstAt < secondAfterMs ? 'echo' : 'second';
  };
}

/** The part of Node's `process` the helper uses (injected so tests need no real signals). */
export type SignalSource = {
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: string) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: string) => void): unknown;
};

export type StopSignalOptions = {
  /** Called once, for the first SIGINT/SIGTERM: begin the graceful stop. */
  onFirst(signal: string): void;
  /** Called for a signal at least `secondAfterMs` after the first: exit at once. */
  onSecond(signal: string): void;
  /** Default SECOND_SIGNAL_AFTER_MS. */
  secondAfterMs?: number;
  /** Default `Date.now`. */
  now?: () => number;
};

/**
 * Listens for SIGINT and SIGTERM on `source` (pass `process`) with the rule above. Returns a
 * function that removes the listeners.
 */
export function onStopSignals(source: SignalSource, options: StopSignalOptions): () => void {
  const classify = stopSignalClassifier(options.secondAfterMs);
  const now = options.now ?? Date.now;
  const listener = (signal: string): void => {
    const kind = classify(now());
    if (kind === 'first') options.onFirst(signal);
    else if (kind === 'second') options.onSecond(signal);
  };
  source.on('SIGINT', listener);
  source.on('SIGTERM', listener);
  return () => {
    source.off('SIGINT', listener);
    source.off('SIGTERM', listener);
  };
}
