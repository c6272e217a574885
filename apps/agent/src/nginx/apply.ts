import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { HandEditReplaced, NginxStatus } from '@keepwatch/shared';
import { readOptional, writeAtomic } from '../state/files.js';
import type { NginxExec } from './exec.js';
import { drainingWorkers, handEditReplaced, RenderedFileDrift, sha256 } from './status.js';

/**
 * What an apply did, with nginx's own output when something failed. `replaced`: the file on disk
 * was not what the agent last wrote (a hand edit), and this apply overwrote it.
 */
export type ApplyResult =
  | { status: 'applied'; reloaded: boolean; output: string; replaced?: HandEditReplaced }
  | { status: 'unchanged' }
  | { status: 'failed'; stage: 'test' | 'reload' | 'verify'; output: string; rolledBack: boolean };

export type NginxApplierOptions = {
  /** The file the agent owns: the rendered configuration (a full nginx.conf, or a file the main config includes). */
  confPath: string;
  /** How long to wait for a new worker generation after a reload, ms (default 5000). */
  verifyTimeoutMs?: number;
  /** How long to wait for the old workers to finish after a reload, ms (default 2000); not a failure when they take longer. */
  drainWaitMs?: number;
  /**
   * A file the main config includes at top level, for the main-context part (`mainContext` of
   * {@link NginxApplier.apply}); written, tested and rolled back with the http-level file.
   */
  mainContextPath?: string;
  /** Where the hash of the file the agent last wrote is kept across restarts (drift; stateDir). */
  writtenStatePath?: string;
};

/** Files the rendered config names that an apply wrote beside it (certificates: nginx/tls-files.ts). */
export type ApplyFiles = {
  /** They differ from before: test and reload even when the rendered text is the same (a renewal). */
  changed: boolean;
  /** Puts them back as they were; called with the config's own rollback, before any reload of it. */
  restore(): void;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Applies a rendered nginx configuration safely: write it atomically over the file the agent
 * owns, `nginx -t`, reload, and verify that a new generation of workers took over. On any
 * failure it puts the last good file back (and reloads again when the bad one had been loaded),
 * so the old configuration keeps serving, and reports the failure with nginx's own output.
 *
 * The candidate is tested in place (the main config includes it by path, so it cannot be tested
 * under another name); the running nginx does not read it before the reload, and the last good
 * file is back within one `nginx -t` when the test fails.
 */
export class NginxApplier {
  private lastGood: string | null = null;
  /** The main-context file this apply writes, and its text before (null: there was none). */
  private lastGoodMain: { path: string; text: string | null } | null = null;
  /** The rendered file as the agent last wrote it, against the file on disk (drift). */
  private readonly drift: RenderedFileDrift;
  /** The files of the apply in progress, restored with the config. */
  private files: ApplyFiles | null = null;

  constructor(
    private readonly exec: NginxExec,
    private readonly opts: NginxApplierOptions,
  ) {
    this.drift = new RenderedFileDrift(opts.confPath, opts.writtenStatePath);
  }

  /**
   * The heartbeat's nginx extras: draining old workers of `master` (when it runs) and drift of
   * the rendered file (once the agent has written it).
   */
  status(master: number | null): Pick<NginxStatus, 'drainingWorkers' | 'drifted' | 'onDiskSha256'> {
    return { drainingWorkers: master === null ? 0 : drainingWorkers(master), ...this.drift.check() };
  }

  /** What an apply over the file on disk replaces: set when that file is a hand edit of the agent's. */
  private handEdit(): HandEditReplaced | undefined {
    const expected = this.drift.expectedSha256;
    if (expected === null || !existsSync(this.opts.confPath)) return undefined;
    const bytes = readFileSync(this.opts.confPath);
    return sha256(bytes) === expected ? undefined : handEditReplaced(bytes);
  }

  /** The configuration in place now: the last good file, read again (it is outside our control). */
  current(): string | null {
    return existsSync(this.opts.confPath) ? readFileSync(this.opts.confPath, 'utf8') : null;
  }

  /**
   * @param rendered - the http-level config for `confPath`.
   * @param mainContext - the main-context part (renderNginxMainContext); written only where
   *   `mainContextPath` is set.
   * @param files - files written for this config (certificates), restored with it on failure.
   */
  async apply(rendered: string, mainContext?: string, files?: ApplyFiles): Promise<ApplyResult> {
    this.files = files ?? null;
    try {
      // A heartbeat during the apply sees the drift of before it, not the candidate file.
      return await this.drift.during(() => this.applyFiles(rendered, mainContext));
    } finally {
      this.files = null;
    }
  }

  private async applyFiles(rendered: string, mainContext?: string): Promise<ApplyResult> {
    // What is there now is what a failure rolls back to.
    this.lastGood = this.current();
    const mainPath = this.opts.mainContextPath;
    const main = mainContext !== undefined && mainPath !== undefined ? { path: mainPath, text: mainContext } : null;
    this.lastGoodMain = main && { path: main.path, text: readOptional(main.path) };
    const mainChanged = main !== null && main.text !== this.lastGoodMain?.text;
    if (rendered === this.lastGood && !mainChanged && !this.files?.changed) {
      this.drift.wrote(rendered);
      return { status: 'unchanged' };
    }
    if (main && mainChanged) writeAtomic(main.path, main.text);
    const replaced = this.handEdit();
    const applied = (r: { reloaded: boolean; output: string }): ApplyResult => {
      this.lastGood = rendered;
      this.drift.wrote(rendered);
      return { status: 'applied', ...r, ...(replaced ? { replaced } : {}) };
    };
    writeAtomic(this.opts.confPath, rendered);
    const test = await this.exec.test();
    if (!test.ok) {
      this.restore();
      return { status: 'failed', stage: 'test', output: test.output, rolledBack: true };
    }
    const master = this.exec.masterPid();
    if (master === null) {
      // Nothing runs: the file is valid and in place; the supervisor starts nginx with it.
      return applied({ reloaded: false, output: test.output });
    }
    const before = new Set(this.exec.workerPids(master));
    const reload = await this.exec.reload();
    if (!reload.ok) {
      this.restore();
      return { status: 'failed', stage: 'reload', output: reload.output, rolledBack: true };
    }
    if (!(await this.newGeneration(master, before))) {
      this.restore();
      await this.exec.reload();
      return {
        status: 'failed',
        stage: 'verify',
        output: `no new nginx workers within ${this.opts.verifyTimeoutMs ?? 5000} ms after reload (see nginx's error log)`,
        rolledBack: true,
      };
    }
    // The master tells the old workers to quit only after the new ones started; until they do,
    // they may still accept a connection with the old config. Wait (bounded) for them to go, so
    // "applied" means "serving the new config". Long-lived connections may keep one draining.
    await this.oldWorkersGone(master, before);
    return applied({ reloaded: true, output: test.output });
  }

  private async oldWorkersGone(master: number, before: Set<number>): Promise<void> {
    const timeoutMs = this.opts.drainWaitMs ?? 2000;
    const deadline = performance.now() + timeoutMs;
    for (let i = 0; i < Math.ceil(timeoutMs / 10) + 1; i++) {
      if (!this.exec.workerPids(master).some((p) => before.has(p))) return;
      if (performance.now() >= deadline) return;
      await sleep(10);
    }
  }

  /** A worker that was not there before the reload appears (bounded poll). */
  private async newGeneration(master: number, before: Set<number>): Promise<boolean> {
    const timeoutMs = this.opts.verifyTimeoutMs ?? 5000;
    const deadline = performance.now() + timeoutMs;
    for (let i = 0; i < Math.ceil(timeoutMs / 10) + 1; i++) {
      if (this.exec.masterPid() !== master) return false;
      if (this.exec.workerPids(master).some((p) => !before.has(p))) return true;
      if (performance.now() >= deadline) return false;
      await sleep(10);
    }
    return false;
  }

  private restore(): void {
    this.files?.restore();
    if (this.lastGood !== null) writeAtomic(this.opts.confPath, this.lastGood);
    else rmSync(this.opts.confPath, { force: true }); // there was none: leave none, not a bad one
    const main = this.lastGoodMain;
    if (main === null) return;
    if (main.text !== null) writeAtomic(main.path, main.text);
    else rmSync(main.path, { force: true });
  }
}
