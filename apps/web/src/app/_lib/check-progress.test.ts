import { describe, expect, it } from 'vitest';
import { checkProgress, type CheckCounters, type CheckProgress } from './check-progress';

/** A check's last status with its consecutive OK and failed runs (null: not sent). */
const counters = (
  status: CheckCounters['status'],
  consecutiveOk: number | null,
  consecutiveFailed: number | null,
): CheckCounters => ({ status, consecutiveOk, consecutiveFailed });

describe('checkProgress', () => {
  const cfg = { rise: 3, fall: 2 };
  it.each<{ name: string; c: CheckCounters } & CheckProgress>([
    { name: 'healthy and steady', c: counters('healthy', 3, 0), phase: 'healthy', progress: '0 of 2 toward fall' },
    { name: 'healthy but failing', c: counters('healthy', 0, 1), phase: 'failing', progress: '1 of 2 toward fall' },
    { name: 'failed and steady', c: counters('failed', 0, 2), phase: 'failed', progress: '0 of 3 toward rise' },
    { name: 'failed but recovering', c: counters('failed', 2, 0), phase: 'recovering', progress: '2 of 3 toward rise' },
    { name: 'an agent without counters', c: counters('failed', null, null), phase: 'failed', progress: null },
  ])('$name', ({ c, phase, progress }) => {
    expect(checkProgress(c, cfg)).toEqual({ phase, progress });
  });

  it('has no progress for a check no longer in the spec, but keeps its phase', () => {
    expect(checkProgress(counters('healthy', 0, 1), null)).toEqual({ phase: 'failing', progress: null });
  });

  it('never shows more than the configured threshold', () => {
    expect(checkProgress(counters('failed', 4, 0), { rise: 2, fall: 1 }).progress).toBe('2 of 2 toward rise');
  });
});
