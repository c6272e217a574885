import { join } from 'node:path';
import { ClusterSpecSchema, type ClusterSpec } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { readOptional, writePrivate } from './files.js';

/** The last revision applied from the control plane. */
export type AppliedRevision = { revision: number; spec: ClusterSpec };

/** `stateDir/revision.json`: the last applied revision, run again at start until the hub answers. */
export class RevisionFile {
  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {}

  private get path(): string {
    return join(this.stateDir, 'revision.json');
  }

  /** The last applied revision, validated again: the file is outside our control. */
  read(): AppliedRevision | null {
    const text = readOptional(this.path);
    if (text === null) return null;
    try {
      const raw = JSON.parse(text) as { revision?: unknown; spec?: unknown };
      const spec = ClusterSpecSchema.safeParse(raw.spec);
      if (typeof raw.revision === 'number' && Number.isSafeInteger(raw.revision) && raw.revision > 0 && spec.success)
        return { revision: raw.revision, spec: spec.data };
    } catch {
      // reported below
    }
    this.log.warn({ file: this.path }, 'last applied revision unreadable; waiting for the control plane');
    return null;
  }

  write(applied: AppliedRevision): void {
    try {
      writePrivate(this.path, JSON.stringify(applied satisfies AppliedRevision));
    } catch (e) {
      this.log.warn({ err: e }, 'applied revision not saved');
    }
  }
}
