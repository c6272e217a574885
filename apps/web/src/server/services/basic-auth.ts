/**
 * Basic-auth passwords of virtual servers (issue #17 item 3): the dashboard never stores a
 * password. The API takes `{ name, password }` for a user, hashes it here with sha512-crypt, and
 * the spec (and so the database, the revisions and the agents) only ever holds the hash.
 *
 * sha512-crypt rather than bcrypt: nginx checks the password with crypt(3) on every request that
 * carries one, inside its event loop, so a slow hash stalls every connection of that worker —
 * bcrypt at cost 10 takes ~75 ms there, sha512-crypt at glibc's default 5000 rounds ~1 ms. Both
 * glibc and libxcrypt (Debian, RHEL) read `$6$` hashes.
 */
import { randomBytes } from 'node:crypto';
import { encrypt } from 'unixcrypt';
import { z } from 'zod';
import {
  AccessListSchema,
  BasicAuthSchema,
  BasicAuthUserNameSchema,
  BasicAuthUserSchema,
  VirtualServerSchema,
  type VirtualServer,
} from '@keepwatch/shared';

/** crypt(3)'s salt alphabet: 64 characters, so a random byte's low 6 bits pick one uniformly. */
const SALT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The longest salt sha512-crypt uses (16 characters, 96 bits). */
const SALT_LENGTH = 16;

/** A password as the API takes it: never stored, hashed on arrival. */
export const BasicAuthPasswordSchema = z
  .string()
  .min(8, { message: 'must be at least 8 characters' })
  .max(256)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
  });

/**
 * sha512-crypt (`$6$salt$hash`, 5000 rounds) of `password` with a fresh random salt. The salt is
 * made here from `randomBytes` (unixcrypt's own picks with `randomInt(0, 63)`, which never draws
 * the alphabet's last character).
 */
export function hashBasicAuthPassword(password: string): string {
  const salt = [...randomBytes(SALT_LENGTH)].map((b) => SALT_ALPHABET[b & 63]).join('');
  return encrypt(password, `$6$${salt}`);
}

/** A basic-auth user as the API takes it: a password to hash, or a hash kept from before. */
const BasicAuthUserInputSchema = z.union([
  BasicAuthUserSchema,
  z.strictObject({ name: BasicAuthUserNameSchema, password: BasicAuthPasswordSchema }),
]);

/**
 * A virtual server as the API takes it: VirtualServerSchema, except that a basic-auth user may
 * come with `password` instead of `passwordHash`; the output has hashes only.
 */
export const VirtualServerInputSchema = VirtualServerSchema.extend({
  access: AccessListSchema.extend({
    basicAuth: BasicAuthSchema.extend({ users: z.array(BasicAuthUserInputSchema).min(1).max(256) }).optional(),
  }).optional(),
}).transform((vs): VirtualServer => {
  const { access, ...rest } = vs;
  if (!access) return rest;
  const { basicAuth, ...list } = access;
  if (!basicAuth) return { ...rest, access: list };
  const users = basicAuth.users.map((u) =>
    'password' in u ? { name: u.name, passwordHash: hashBasicAuthPassword(u.password) } : u,
  );
  return { ...rest, access: { ...list, basicAuth: { ...basicAuth, users } } };
});
