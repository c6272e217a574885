import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    // The files share one process (no module mocks here; fake timers are restored after each
    // test): on CI's two cores, importing the modules anew for every file cost more than the tests.
    isolate: false,
  },
});
