import { defineConfig } from 'vitest/config';
import { longFirstSequencer } from '../../scripts/vitest-long-first.mjs';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on two cores is one file at a time; these files mostly wait on PostgreSQL
    // (each has its own database), so two at a time end the CI's unit phase sooner.
    maxWorkers: 2,
    // Files share their worker's modules (no module mocks, fake timers or env edits here): on CI's
    // two cores, importing the server anew for every file cost more than the tests (149 s of 253).
    isolate: false,
    // The database files are the long ones (a fresh clone's run, alone): started last by file size,
    // the PGlite import ran alone on one worker at the end of CI's unit phase.
    sequence: {
      sequencer: longFirstSequencer([
        'src/server/db/pglite-import.test.ts', // 40 s
        'src/server/db/embedded-server.test.ts', // 16 s
        'src/server/db/schema-drift.test.ts', // 10 s
        'src/server/hub/hub-auth.test.ts', // 5.5 s
      ]),
    },
    // The key that seals stored secrets (spec-secrets.ts, secret-box.ts) comes from here in tests,
    // so no test writes a key file into the checkout. Tests that need a key file make their own.
    env: { KEEPWATCH_SECRET_KEY: '6b6565707761746368207465737420736563726574206b657920303030303031' },
  },
});
