import { describe, expect, it } from 'vitest';
import { waitFor } from './poll.js';

describe('waitFor', () => {
  it('returns the first value the probe yields', async () => {
    let n = 0;
    expect(await waitFor(() => (++n >= 3 ? n : undefined), { timeoutMs: 1000, intervalMs: 1, what: 'n' })).toBe(3);
  });

  it('gives up after its time limit, naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the thing' },
      ),
    ).rejects.toThrow(/the thing: boom/);
  });
});
