/**
 * argon2id password hashes (@node-rs/argon2: prebuilt binaries from npm, nothing downloads at
 * install). Parameters: OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
 */
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A new password: at least 12 characters (no composition rules, NIST SP 800-63B), at most 256. */
export const NewPasswordSchema = z
  .string()
  .min(12, { message: 'must be at least 12 characters' })
  .max(256, { message: 'must be at most 256 characters' });

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when the username does not exist, so a miss costs the same time as a wrong
// password and does not reveal which usernames exist.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('keepwatch-timing-equaliser');
  return dummy;
}
