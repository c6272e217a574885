/** A unified diff for a person to read, with its added and removed line counts (the `diff` package). */
import { createTwoFilesPatch, structuredPatch } from 'diff';

export interface TextDiff {
  /** Unified diff old → new with 3 lines of context; empty when the texts are the same. */
  patch: string;
  added: number;
  removed: number;
}

export function textDiff(before: string, beforeLabel: string, after: string, afterLabel: string): TextDiff {
  if (before === after) return { patch: '', added: 0, removed: 0 };
  let added = 0;
  let removed = 0;
  for (const h of structuredPatch('a', 'b', before, after).hunks) {
    for (const l of h.lines) {
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
    }
  }
  return {
    patch: createTwoFilesPatch(beforeLabel, afterLabel, before, after, undefined, undefined, { context: 3 }),
    added,
    removed,
  };
}
