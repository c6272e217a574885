/** The throw-away PostgreSQL server lives in @keepwatch/lab (the integration tests and the bench use it too). */
export { PG_BIN, pgUrl, startTestPostgres, type TestPostgres } from '@keepwatch/lab';
