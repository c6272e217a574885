import { readFileSync } from 'node:fs';
import { AgentConfigSchema, formatZodIssues, type AgentConfig, type ControlPlane } from '@keepwatch/shared';

/** A configuration that could not be loaded, with one line per problem (`path: message`). */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Reads and validates the agent's configuration file (JSON). Every problem is reported with its
 * field path; nothing unvalidated reaches nginx, a command line or the network.
 */
export function loadAgentConfig(file: string, overrides: { controlPlane?: ControlPlane } = {}): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`(file): ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  // `run --server URL --token T` replaces the file's controlPlane (validated with the same schema).
  if (overrides.controlPlane && typeof raw === 'object' && raw !== null)
    raw = { ...raw, controlPlane: overrides.controlPlane };
  const parsed = AgentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatZodIssues(parsed.error.issues));
  return parsed.data;
}
