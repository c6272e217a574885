import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Goldens are reviewed files: a missing or changed one fails, locally as in CI (STYLE §H45).
    // Write them on purpose with `npx vitest run -u` and review the diff.
    update: 'none',
    // Property tests run hundreds of cases; on a shared 2-core machine under turbo's parallel
    // tasks a pure one can take several seconds. Bounded, but not at the 5 s default.
    testTimeout: 60_000,
    // The files share one process (no module mocks here; fake timers are restored after each
    // test): on CI's two cores, importing the modules anew for every file cost more than the tests.
    isolate: false,
  },
});
