/**
 * A stand-in dashboard for embedded-server.test.ts: starts the embedded server of the data folder
 * given as argv[2], prints one JSON line (the server's URL), then waits to be killed (60 s at most).
 */
import { startEmbeddedServer } from '../embedded-server';

const server = await startEmbeddedServer({ dataDir: process.argv[2] as string });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
setTimeout(() => void server.stop(), 60_000);
