// Types of vitest-long-first.mjs for the TypeScript configs that use it.
import type { BaseSequencer } from 'vitest/node';
export declare function longFirstSequencer(files: readonly string[]): typeof BaseSequencer;
