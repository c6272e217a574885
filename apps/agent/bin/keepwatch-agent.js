#!/usr/bin/env node
// The keepwatch-agent command: runs the compiled agent (npm run build writes dist/).
import('../dist/entry.js').catch((e) => {
  console.error(`keepwatch-agent: cannot load the agent (${e.message}); build it first: npm run build`);
  process.exit(1);
});
