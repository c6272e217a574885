import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdStopSignals, type SignalTarget } from './early-signals.js';

describe('holdStopSignals (a stop during the start-up replay waits for the stop path)', () => {
  it('hands over the signals that arrived while held, in order, once', () => {
    const target = new EventEmitter();
    const early = holdStopSignals(target as unknown as SignalTarget);
    target.emit('SIGTERM', 'SIGTERM');
    target.emit('SIGINT', 'SIGINT');
    expect(early.release()).toEqual(['SIGTERM', 'SIGINT']);
    expect(early.release()).toEqual([]);
  });

  it('stops listening when released, so the default handling or the stop path takes over', () => {
    const target = new EventEmitter();
    holdStopSignals(target as unknown as SignalTarget).release();
    expect(target.listenerCount('SIGTERM') + target.listenerCount('SIGINT')).toBe(0);
  });
});
