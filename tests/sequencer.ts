import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take a minute or more start first, longest first, so the two workers do not end
 * with one of them alone on a long file (CI's clone has no vitest cache to order by). The build
 * of the agent's packages happens in the first of them. Times: a fresh-clone run, two at a time.
 */
const LONG_FIRST = [
  'systemd/agent-deb-install.int.test.ts', // 181 s, builds the agent's packages (~85 s of it)
  'chaos/chaos-slice.int.test.ts', // 114 s
  'web/dashboard-a11y.int.test.ts', // ~100 s
  'agent/interop-keepalived.int.test.ts', // 65 s
  'product/dashboard-service.int.test.ts', // 62 s
  'web/dashboard-cluster.int.test.ts', // 62 s
  'product/ssh-bootstrap.int.test.ts', // 60 s
  'agent/hitless-moves.int.test.ts', // 59 s
  'web/dashboard-outage.int.test.ts', // 47 s, mostly a 30 s wait
];

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? LONG_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep the base order.
    return base.sort((a, b) => rank(a) - rank(b));
  }
}
