#!/usr/bin/env node
// keepwatch-agent's entry: the start-up replay first (a restarted master's adverts go out before
// the agent's modules are evaluated), then the command line (main.ts, the composition root),
// loaded by a dynamic import so that a bundle evaluates it only now.
import { runtimeDirectory } from './config/runtime-directory.js';
import { loadNative } from './transport/native.js';
import { holdStopSignals } from './warm-start/early-signals.js';
import { startWarmReplay } from './warm-start/replay.js';

const warm = startWarmReplay(process.argv.slice(2), () => loadNative({ runtimeDirectory: runtimeDirectory() }));
// Only while adverts are being repeated: otherwise a signal during start-up ends the process as before.
const early = warm.instances.length ? holdStopSignals(process) : null;
import('./main.js').then(
  ({ run }) => run(warm, () => early?.release() ?? []),
  (e: unknown) => {
    warm.stop();
    console.error(`keepwatch-agent: cannot load the agent (${(e as Error).message})`);
    process.exit(1);
  },
);
