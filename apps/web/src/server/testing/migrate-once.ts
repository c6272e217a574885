// A dashboard's migration step as its own OS process: `node --import tsx src/server/testing/migrate-once.ts URL`.
// Prints the result as JSON on stdout.
import { migrateUrl } from '../db/client';

const url = process.argv[2];
if (!url) throw new Error('usage: migrate-once.ts URL');
const r = await migrateUrl(url);
process.stdout.write(`${JSON.stringify(r)}\n`);
