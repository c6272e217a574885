import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Goldens are reviewed files: a missing or changed one fails, locally as in CI (STYLE §H45).
    // Write them on purpose with `npx vitest run -u` and review the diff.
    update: 'none',
  },
});
