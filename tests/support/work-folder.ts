import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A temporary folder for the tests of the enclosing describe block (or file): made before them,
 * removed with all it holds after them. Call the result for its path, known once the hook has run.
 */
export function workFolder(prefix: string): () => string {
  let path = '';
  beforeAll(() => {
    path = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (path) rmSync(path, { recursive: true, force: true });
  });
  return () => path;
}
