import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres';

import './provided';

/** One PostgreSQL server for the whole run; each test file makes its own database on it. */
export default function setup(project: TestProject): () => void {
  const pg = startTestPostgres();
  project.provide('pg', { socketDir: pg.socketDir, port: pg.port });
  return () => pg.stop();
}
