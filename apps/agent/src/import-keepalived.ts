import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { importKeepalivedConfig, type AgentConfig, type ImportIssue, type UnsupportedKeyword } from '@keepwatch/shared';

/** keepalived `include` patterns: a path, relative to the including file, whose last part may hold `*` and `?`. */
function readInclude(pattern: string, fromFile: string): { path: string; text: string }[] {
  const full = isAbsolute(pattern) ? pattern : resolve(dirname(fromFile), pattern);
  const dir = dirname(full);
  const name = basename(full);
  if (!/[*?]/.test(name)) return [{ path: full, text: readFileSync(full, 'utf8') }];
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

export type ImportOutcome =
  | { ok: true; config: AgentConfig; unsupported: UnsupportedKeyword[]; notes: string[] }
  | { ok: false; errors: ImportIssue[]; unsupported: UnsupportedKeyword[]; notes: string[] };

/**
 * Reads a keepalived.conf (with its includes) and optionally an nginx upstream config, and
 * converts them into an agent configuration. Every keyword that cannot be honoured is reported
 * by name and line; nothing is dropped silently.
 */
export function importKeepalivedFiles(file: string, opts: { nginxFile?: string | undefined }): ImportOutcome {
  return importKeepalivedConfig({
    keepalived: { text: readFileSync(file, 'utf8'), file },
    ...(opts.nginxFile ? { nginx: { text: readFileSync(opts.nginxFile, 'utf8'), file: opts.nginxFile } } : {}),
    readInclude,
  });
}

/** One line per unsupported keyword, as the CLI prints it. */
export function describeUnsupported(u: UnsupportedKeyword): string {
  return `${u.file}:${u.line}: ${u.keyword}${u.context ? ` (in ${u.context})` : ''} is not supported and was not imported`;
}
