#!/usr/bin/env node
// The `keepwatch-dashboard` command: the compiled server (dist/server.mjs), imported into this
// process — no launcher process. Build it first with `npm run build -w @keepwatch/web`.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/server.mjs', import.meta.url);
if (!existsSync(compiled)) {
  console.error(
    `keepwatch-dashboard: ${compiled.pathname} is missing: build it with \`npm run build -w @keepwatch/web\``,
  );
  process.exit(1);
}
await import(compiled.href);
