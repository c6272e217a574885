import { longFirstSequencer } from '../scripts/vitest-long-first.mjs';

/**
 * The files that take about a minute or more start first, so the two workers do not end with one
 * of them alone on a long file. The build of the agent's packages happens in the first of them.
 * The order is the one session 11 measured (roughly longest first) and the green runs used, kept
 * as it is rather than re-sorted by the newer times beside each: it decides which files run
 * side by side. Times: a fresh-clone run, two at a time.
 */
export default longFirstSequencer([
  'systemd/agent-deb-install.int.test.ts', // 166 s, builds the agent's packages (~60 s of it)
  'chaos/chaos-slice.int.test.ts', // 109 s
  'web/dashboard-a11y.int.test.ts', // 115 s
  'agent/interop-keepalived.int.test.ts', // 88 s
  'product/dashboard-service.int.test.ts', // 47 s
  'web/dashboard-cluster.int.test.ts', // 44 s
  'product/ssh-bootstrap.int.test.ts', // 66 s
  'agent/hitless-moves.int.test.ts', // 54 s
  'web/dashboard-outage.int.test.ts', // 61 s, mostly a 30 s wait
]);
