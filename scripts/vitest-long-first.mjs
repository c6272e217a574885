// A vitest sequencer for a fresh clone, which has no vitest cache to order files by duration:
// the listed files start first, in the list's order, so a worker does not end alone on a long
// file that happened to sort last. Used by tests/ (integration) and apps/web (unit).
import { relative } from 'node:path';
import { BaseSequencer } from 'vitest/node';

/** A sequencer class that starts `files` (paths relative to the project's root) first. */
export function longFirstSequencer(files) {
  return class LongFirstSequencer extends BaseSequencer {
    async sort(specs) {
      const base = await super.sort(specs);
      const rank = (f) => {
        const i = files.indexOf(relative(f.project.config.root, f.moduleId));
        return i < 0 ? files.length : i;
      };
      // Array.prototype.sort is stable: the rest keep the base order.
      return base.sort((a, b) => rank(a) - rank(b));
    }
  };
}
