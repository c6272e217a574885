import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Traces are reviewed files: a missing or changed one fails (rewrite on purpose with -u).
    update: 'none',
    // Property tests and the 100-seed scenarios are bounded by their run counts; on a shared
    // 2-core machine under turbo's parallel tasks they can pass the 5 s default.
    testTimeout: 60_000,
  },
});
