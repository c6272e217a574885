import { describe, expect, it } from 'vitest';
import { checkProgress } from './check-progress';

describe('checkProgress', () => {
  const cfg = { rise: 3, fall: 2 };
  it.each([
    {
      name: 'healthy and steady',
      c: { status: 'healthy', consecutiveOk: 3, consecutiveFailed: 0 },
      want: { phase: 'healthy', progress: '0 of 2 toward fall' },
    },
    {
      name: 'healthy but failing',
      c: { status: 'healthy', consecutiveOk: 0, consecutiveFailed: 1 },
      want: { phase: 'failing', progress: '1 of 2 toward fall' },
    },
    {
      name: 'failed and steady',
      c: { status: 'failed', consecutiveOk: 0, consecutiveFailed: 2 },
      want: { phase: 'failed', progress: '0 of 3 toward rise' },
    },
    {
      name: 'failed but recovering',
      c: { status: 'failed', consecutiveOk: 2, consecutiveFailed: 0 },
      want: { phase: 'recovering', progress: '2 of 3 toward rise' },
    },
    {
      name: 'an agent without counters',
      c: { status: 'failed', consecutiveOk: null, consecutiveFailed: null },
      want: { phase: 'failed', progress: null },
    },
  ] as const)('$name', ({ c, want }) => {
    expect(checkProgress(c, cfg)).toEqual(want);
  });

  it('has no progress for a check no longer in the spec, but keeps its phase', () => {
    expect(checkProgress({ status: 'healthy', consecutiveOk: 0, consecutiveFailed: 1 }, null)).toEqual({
      phase: 'failing',
      progress: null,
    });
  });

  it('never shows more than the configured threshold', () => {
    expect(
      checkProgress({ status: 'failed', consecutiveOk: 4, consecutiveFailed: 0 }, { rise: 2, fall: 1 }).progress,
    ).toBe('2 of 2 toward rise');
  });
});
