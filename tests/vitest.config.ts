import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './sequencer.js';

// Integration tests share the machine's two cores: two files at a time (each lab is its own set of
// namespaces, ports are the kernel's free ones, and builds that write the checkout take a lock),
// so one file's waits on timers overlap another's work. What a lab host runs is niced first
// (LAB_NICE in @keepwatch/lab), so VRRP timing does not suffer from the file beside it. Generous
// but bounded timeouts, and a global teardown that fails the run if any lab namespace, link or
// process is left.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**'],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['./global-setup.ts'],
    pool: 'forks',
    sequence: { sequencer: LongFirstSequencer },
  },
});
