import { randomBytes } from 'node:crypto';
import { leftovers, removeLeftovers, sweepDeadRuns } from '@keepwatch/lab';

/**
 * Tags every lab this test run makes (KEEPWATCH_LAB_GROUP reaches the workers through the
 * environment), sweeps leftovers of earlier dead runs, and after the run fails it if any lab of
 * this run left a namespace, link or process behind — then removes them, so one leak does not
 * spill into the next run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const group = `tests-${process.pid}-${randomBytes(3).toString('hex')}`;
  process.env.KEEPWATCH_LAB_GROUP = group;
  await sweepDeadRuns();
  return async () => {
    const left = await leftovers(group);
    if (left.length > 0) {
      await removeLeftovers(group);
      throw new Error(`lab leftovers after the test run (removed now):\n  ${left.join('\n  ')}`);
    }
  };
}
