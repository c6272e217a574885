// The node credential the hub hands out at enrollment, kept in the state directory (0600) and
// sent in every `hello`.
import { join } from 'node:path';
import { z } from 'zod';
import { readOptional, writePrivate } from '../state/files.js';

const CredentialFileSchema = z.strictObject({ node: z.string(), credential: z.string().min(16).max(512) });

export const credentialFile = (stateDir: string) => join(stateDir, 'credential.json');

/** The kept credential of `node`; null when there is none, `invalid` when the file is not usable. */
export function readCredential(stateDir: string, node: string): string | null | 'invalid' {
  const text = readOptional(credentialFile(stateDir));
  if (text === null) return null;
  try {
    const r = CredentialFileSchema.safeParse(JSON.parse(text));
    if (r.success && r.data.node === node) return r.data.credential;
  } catch {
    // fall through: an unreadable file is the same as none
  }
  return 'invalid';
}

export function writeCredential(stateDir: string, node: string, credential: string): void {
  writePrivate(credentialFile(stateDir), JSON.stringify({ node, credential }));
}
