/** The throw-away PostgreSQL server lives in @keepwatch/lab (the web package's tests and the bench use it too). */
export { startTestPostgres, pgUrl, type TestPostgres } from '@keepwatch/lab';
