import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Traces are reviewed files: a missing or changed one fails (rewrite on purpose with -u).
    update: 'none',
    // Property tests and the 100-seed scenarios are bounded by their run counts; on a shared
    // 2-core machine under turbo's parallel tasks they can pass the 5 s default.
    testTimeout: 60_000,
    // The files share one process (no module mocks here; fake timers are restored after each
    // test): on CI's two cores, importing the modules anew for every file cost more than the tests.
    isolate: false,
  },
});
