/**
 * A throw-away PostgreSQL server for an integration test (several dashboard processes on one
 * database): the web package's test server — Debian's binaries run as `postgres`, listening only
 * on a unix socket in a temp folder — reused rather than copied.
 */
export { startTestPostgres, pgUrl, type TestPostgres } from '../../apps/web/test/postgres.js';
