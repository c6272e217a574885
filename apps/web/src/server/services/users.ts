/** Users and roles. Passwords are argon2id hashes; a user's hash never leaves the server. */
import { z } from 'zod';
import { AppError, notFound, staleVersion } from '../errors';
import { hashPassword } from '../auth/password';
import { writeAudit, type AuditEntry } from './audit';
import type { Actor, Db, Role, Tx } from './types';

/** A user name (the API and the command line's create-admin validate with it). */
export const UsernameSchema = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, {
  message: 'must be 2-32 lowercase letters, digits, ".", "_" or "-", starting with a letter',
});

const view = {
  id: true,
  username: true,
  role: true,
  disabled: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Records `action` on user `u` in the audit log, in the change's transaction; returns `u`. */
async function audited<U extends { id: string }>(
  tx: Tx,
  actor: Actor,
  action: `user.${string}`,
  u: U,
  change: Pick<AuditEntry, 'before' | 'after'>,
): Promise<U> {
  await writeAudit(tx, actor, { action, targetType: 'user', targetId: u.id, ...change });
  return u;
}

export async function listUsers(db: Db) {
  return db.user.findMany({ orderBy: { username: 'asc' }, select: view });
}

export async function createUser(tx: Tx, actor: Actor, input: { username: string; password: string; role: Role }) {
  if (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
    throw new AppError('CONFLICT', { field: 'username', message: `a user named "${input.username}" already exists` });
  }
  const u = await tx.user.create({
    data: { username: input.username, role: input.role, passwordHash: await hashPassword(input.password) },
    select: view,
  });
  return audited(tx, actor, 'user.create', u, { after: { username: u.username, role: u.role } });
}

async function guard(tx: Tx, id: string, version: number) {
  const u = await tx.user.findUnique({ where: { id }, select: view });
  if (!u) throw notFound('user');
  if (u.version !== version) throw staleVersion('the user', version, u.version);
  if ((await tx.user.updateMany({ where: { id, version }, data: { version: { increment: 1 } } })).count === 0)
    throw staleVersion('the user', version, version + 1);
  return u;
}

// The last enabled admin cannot be demoted or disabled: nobody could manage users afterwards.
async function ensureAnotherAdmin(tx: Tx, exceptId: string) {
  const others = await tx.user.count({ where: { role: 'admin', disabled: false, id: { not: exceptId } } });
  if (others === 0)
    throw new AppError('CONFLICT', {
      field: 'role',
      message: 'this is the last enabled admin; make another admin first',
    });
}

export async function updateUser(
  tx: Tx,
  actor: Actor,
  input: { id: string; version: number; role?: Role | undefined; disabled?: boolean | undefined },
) {
  const before = await guard(tx, input.id, input.version);
  const role = input.role ?? before.role;
  const disabled = input.disabled ?? before.disabled;
  if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled))
    await ensureAnotherAdmin(tx, before.id);
  const u = await tx.user.update({ where: { id: before.id }, data: { role, disabled }, select: view });
  // A disabled or demoted user's open sessions end now rather than at expiry.
  if (disabled || role !== before.role) await tx.session.deleteMany({ where: { userId: u.id } });
  return audited(tx, actor, 'user.update', u, {
    before: { username: before.username, role: before.role, disabled: before.disabled, version: before.version },
    after: { username: u.username, role: u.role, disabled: u.disabled, version: u.version },
  });
}

export async function setPassword(tx: Tx, actor: Actor, input: { id: string; version: number; password: string }) {
  const before = await guard(tx, input.id, input.version);
  const u = await tx.user.update({
    where: { id: before.id },
    data: { passwordHash: await hashPassword(input.password) },
    select: view,
  });
  await tx.session.deleteMany({ where: { userId: u.id } });
  return audited(tx, actor, 'user.set-password', u, { after: { username: u.username, version: u.version } });
}
