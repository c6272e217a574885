import { describe, expect, it } from 'vitest';
import { onStopSignals, stopSignalClassifier, type SignalSource } from './index.js';

/** A stand-in for `process`: records listeners and lets the test raise a signal. */
function fakeSource(): SignalSource & { raise(signal: 'SIGINT' | 'SIGTERM'): void; count(): number } {
  const listeners = new Map<string, ((s: string) => void)[]>();
  return {
    on(signal, listener) {
      listeners.set(signal, [...(listeners.get(signal) ?? []), listener]);
    },
    off(signal, listener) {
      listeners.set(
        signal,
        (listeners.get(signal) ?? []).filter((l) => l !== listener),
      );
    },
    raise(signal) {
      for (const l of listeners.get(signal) ?? []) l(signal);
    },
    count: () => [...listeners.values()].reduce((n, l) => n + l.length, 0),
  };
}

describe('stopSignalClassifier', () => {
  it('calls the first signal first', () => {
    expect(stopSignalClassifier(1000)(5)).toBe('first');
  });

  it('treats a signal within the debounce as an echo of the first', () => {
    const classify = stopSignalClassifier(1000);
    classify(0);
    expect(classify(999)).toBe('echo');
  });

  it('treats a signal at or after the debounce as the second', () => {
    const classify = stopSignalClassifier(1000);
    classify(0);
    expect(classify(1000)).toBe('second');
  });
});

describe('onStopSignals', () => {
  it('begins the stop once when one Ctrl-C arrives twice at once', () => {
    const source = fakeSource();
    const seen: string[] = [];
    onStopSignals(source, {
      onFirst: (s) => seen.push(`first ${s}`),
      onSecond: (s) => seen.push(`second ${s}`),
      now: () => 0,
    });
    source.raise('SIGINT');
    source.raise('SIGINT');
    expect(seen).toEqual(['first SIGINT']);
  });

  it('exits on a SIGTERM a second after a SIGINT', () => {
    const source = fakeSource();
    let t = 0;
    const seen: string[] = [];
    onStopSignals(source, {
      onFirst: (s) => seen.push(`first ${s}`),
      onSecond: (s) => seen.push(`second ${s}`),
      now: () => t,
    });
    source.raise('SIGINT');
    t = 1000;
    source.raise('SIGTERM');
    expect(seen).toEqual(['first SIGINT', 'second SIGTERM']);
  });

  it('removes its listeners when asked', () => {
    const source = fakeSource();
    const remove = onStopSignals(source, { onFirst: () => undefined, onSecond: () => undefined });
    remove();
    expect(source.count()).toBe(0);
  });
});
