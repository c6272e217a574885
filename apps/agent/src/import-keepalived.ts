import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { importKeepalived, type AgentConfigInput } from '@keepwatch/shared';

/**
 * Reads a keepalived.conf (and its includes, relative to its folder) and optionally an nginx
 * upstream config, and converts them into an agent configuration. Every keyword that cannot be
 * honoured is reported by name and line.
 */
export function importKeepalivedFiles(file: string, opts: { nginxFile?: string; node?: string }): { config: AgentConfigInput; warnings: string[] } {
  const base = dirname(resolve(file));
  const readFile = (path: string) => readFileSync(resolve(base, path), 'utf8');
  return importKeepalived({
    keepalivedConf: readFileSync(file, 'utf8'),
    keepalivedPath: file,
    readFile,
    ...(opts.nginxFile ? { nginxConf: readFileSync(opts.nginxFile, 'utf8') } : {}),
    ...(opts.node ? { node: opts.node } : {}),
  });
}
