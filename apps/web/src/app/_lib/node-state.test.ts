import { describe, expect, it } from 'vitest';
import { newestState } from './node-state';

const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s));

describe('newestState', () => {
  it('a transition sent after the last heartbeat wins (the heartbeat is older news)', () => {
    expect(newestState({ state: 'backup', at: at(10) }, { state: 'master', at: at(11) })).toEqual({
      state: 'master',
      at: at(11),
      source: 'transition',
    });
  });
  it('a heartbeat sent after the last transition wins', () => {
    expect(newestState({ state: 'backup', at: at(12) }, { state: 'master', at: at(11) })).toEqual({
      state: 'backup',
      at: at(12),
      source: 'heartbeat',
    });
  });
  it('either alone is used; neither is unknown', () => {
    expect(newestState(null, { state: 'fault', at: at(1) })?.state).toBe('fault');
    expect(newestState({ state: 'backup', at: at(1) }, null)?.state).toBe('backup');
    expect(newestState(null, null)).toBeNull();
  });
});
