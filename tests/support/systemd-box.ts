import type { SystemdContainer } from '@keepwatch/lab';

/**
 * Powers a test's systemd container off in its afterAll: how that went (the clean-up time, or
 * the error) is logged, never thrown, so that the lab's teardown after it still runs.
 */
export async function powerOff(box: SystemdContainer | undefined): Promise<void> {
  const off = await box?.poweroff().catch((e: Error) => e.message);
  console.log(`power-off: ${JSON.stringify(off)}`);
}
