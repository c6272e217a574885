import { defineConfig } from 'vitest/config';

// Integration tests share the machine's network namespaces, processes and two cores: one file at
// a time, generous but bounded timeouts, and a global teardown that fails the run if any lab
// namespace, link or process is left.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['./global-setup.ts'],
    pool: 'forks',
  },
});
