import { AgentConfigSchema, formatZodIssues, type AgentConfig } from '@keepwatch/shared';
import { readOptional, writePrivate } from '../state/files.js';
import { ConfigError } from './load.js';

/** The default place of the agent's configuration, where the packages' units read it. */
export const DEFAULT_CONFIG_PATH = '/etc/keepwatch/agent.json';

/** What `keepwatch-agent enroll` is told: this node's name, the dashboard, the one-time token. */
export type Enrollment = { node: string; server: string; token: string; pins?: string[] | undefined };

/**
 * The configuration an enrollment leaves: the existing file's settings (nginx paths, metrics, a
 * standalone spec …) kept, with this node's name and the control plane set — validated whole, so
 * a bad value is refused naming its field before anything is written. Pure: `existingText` is the
 * file's content or null when there is none.
 */
export function enrollmentConfig(file: string, existingText: string | null, e: Enrollment): AgentConfig {
  let existing: Record<string, unknown> = {};
  if (existingText !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(existingText);
    } catch (err) {
      throw new ConfigError(file, [`(file): not valid JSON: ${(err as Error).message}`]);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ConfigError(file, ['(file): must hold a JSON object']);
    existing = raw as Record<string, unknown>;
  }
  const parsed = AgentConfigSchema.safeParse({
    ...existing,
    node: e.node,
    controlPlane: { url: e.server, enrollToken: e.token, ...(e.pins ? { pins: e.pins } : {}) },
  });
  if (!parsed.success) throw new ConfigError(file, formatZodIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Writes the enrollment into `file` (atomically, mode 0600: it holds the token, later the spec's
 * VRRP password). Only the fields given and those already in the file are written — the schema's
 * defaults stay implicit, so a later version's defaults apply after an upgrade.
 */
export function writeEnrollment(file: string, e: Enrollment): void {
  const existingText = readOptional(file);
  enrollmentConfig(file, existingText, e);
  const existing = existingText === null ? {} : (JSON.parse(existingText) as Record<string, unknown>);
  // A new config gets the script policy's defaults (no shell lines, no root, scripts only from
  // root-owned directories); an existing file keeps what it has (an upgrade changes nothing).
  const policy = existingText === null ? { scripts: {} } : {};
  const out = {
    ...policy,
    ...existing,
    node: e.node,
    controlPlane: { url: e.server, enrollToken: e.token, ...(e.pins ? { pins: e.pins } : {}) },
  };
  writePrivate(file, `${JSON.stringify(out, null, 2)}\n`);
}
