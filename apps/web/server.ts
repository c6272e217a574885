/**
 * The dashboard's entry point: the `keepwatch-dashboard` command (src/server/cli.ts; `serve` by
 * default). From source: `tsx server.ts` (`npm run dev`, the demo). Compiled by `npm run build`
 * into dist/server.mjs, which production runs with plain node (`node dist/server.mjs`, the bin
 * `keepwatch-dashboard`, the systemd unit): no tsx and no launcher process.
 */
import { runCli } from './src/server/cli';
import { COMPILED } from './src/server/layout';

// The compiled server is the production start: there NODE_ENV defaults to production (Next and
// React read the variable itself, not only our parsed copy).
if (COMPILED && !process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: 'production' });

const status = await runCli(process.argv.slice(2), process.env);
if (status !== null) process.exit(status);
