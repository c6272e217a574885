import { join } from 'node:path';
import { ClusterSpecSchema, TlsMaterialSchema, type ClusterSpec, type TlsMaterial } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { readOptional, writePrivate } from './files.js';

/**
 * The last revision applied from the control plane, with its certificates and keys (`tls`): the
 * agent renders them again at start, before the hub answers — so the file is 0600 like the
 * credential beside it.
 */
export type AppliedRevision = { revision: number; spec: ClusterSpec; tls?: TlsMaterial };

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
      const raw = JSON.parse(text) as { revision?: unknown; spec?: unknown; tls?: unknown };
      const spec = ClusterSpecSchema.safeParse(raw.spec);
      const tls = TlsMaterialSchema.optional().safeParse(raw.tls);
      if (
        typeof raw.revision === 'number' &&
        Number.isSafeInteger(raw.revision) &&
        raw.revision > 0 &&
        spec.success &&
        tls.success
      )
        return { revision: raw.revision, spec: spec.data, ...(tls.data ? { tls: tls.data } : {}) };
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
