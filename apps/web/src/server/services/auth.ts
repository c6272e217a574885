/** Sign-in, sign-out, session lookup and the first admin. */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password';
import { writeAudit } from './audit';
import type { Actor, Db, Role } from './types';

/** Sessions last a working week, then the user signs in again. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * A session unused this long ends (issue #15 finding 8): a browser left signed in on a shared
 * desk does not keep failover rights for the rest of the week. Any request with it counts as use.
 */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** `lastUsedAt` is written at most this often per session (not one UPDATE per request). */
const SESSION_TOUCH_MS = 60 * 1000;

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  sessionId: string;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The signed-in user for a cookie token, or null (unknown, expired, or the user is disabled). */
export async function lookupSession(db: Db, token: string | null, now = new Date()): Promise<SessionUser | null> {
  if (!token) return null;
  const s = await db.session.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { user: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  if (!s) return null;
  if (s.expiresAt <= now || now.getTime() - s.lastUsedAt.getTime() >= SESSION_IDLE_MS) {
    await db.session.deleteMany({ where: { id: s.id } });
    return null;
  }
  if (s.user.disabled) return null;
  if (now.getTime() - s.lastUsedAt.getTime() >= SESSION_TOUCH_MS)
    await db.session.updateMany({ where: { id: s.id }, data: { lastUsedAt: now } });
  return { id: s.user.id, username: s.user.username, role: s.user.role, sessionId: s.id };
}

export type LoginResult = { ok: true; user: SessionUser; token: string; expiresAt: Date } | { ok: false };

/**
 * Checks the password and, when it matches, opens a session; either way writes the audit record
 * (`auth.login` or `auth.login.failed`) in the same transaction.
 */
export async function login(
  db: Db,
  input: { username: string; password: string; sourceAddress: string | null },
  now = new Date(),
): Promise<LoginResult> {
  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = user
    ? await verifyPassword(user.passwordHash, input.password)
    : (await verifyPassword(await dummyHash(), input.password), false);
  if (!user || !ok || user.disabled) {
    await db.$transaction((tx) =>
      writeAudit(
        tx,
        { kind: 'system', name: 'auth', sourceAddress: input.sourceAddress },
        {
          action: 'auth.login.failed',
          targetType: 'user',
          targetId: user?.id ?? null,
          after: {
            username: input.username,
            reason: !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password',
          },
        },
      ),
    );
    return { ok: false };
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const actor: Actor = {
    kind: 'user',
    id: user.id,
    username: user.username,
    role: user.role,
    sourceAddress: input.sourceAddress,
  };
  const session = await db.$transaction(async (tx) => {
    const s = await tx.session.create({
      data: { tokenHash: tokenHash(token), userId: user.id, expiresAt, sourceAddress: input.sourceAddress },
    });
    await writeAudit(tx, actor, {
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      after: { username: user.username },
    });
    return s;
  });
  return {
    ok: true,
    token,
    expiresAt,
    user: { id: user.id, username: user.username, role: user.role, sessionId: session.id },
  };
}

export async function logout(db: Db, actor: Actor, sessionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { id: sessionId } });
    await writeAudit(tx, actor, {
      action: 'auth.logout',
      targetType: 'user',
      targetId: actor.kind === 'user' ? actor.id : null,
    });
  });
}

/**
 * Creates the first admin from the CLI or the environment. Refused when an admin exists already,
 * so a leftover environment variable can never reset anyone's password.
 */
export async function createFirstAdmin(
  db: Db,
  input: { username: string; password: string },
  source: string,
): Promise<{ created: boolean; reason?: string }> {
  return db.$transaction(async (tx) => {
    // Serialises two instances starting with the same variables (the audit lock is taken anyway).
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(1802992997)');
    if ((await tx.user.count({ where: { role: 'admin' } })) > 0)
      return { created: false, reason: 'an admin exists already' };
    if (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
      throw new AppError('CONFLICT', { field: 'username', message: `a user named "${input.username}" already exists` });
    }
    const u = await tx.user.create({
      data: { username: input.username, role: 'admin', passwordHash: await hashPassword(input.password) },
    });
    await writeAudit(
      tx,
      { kind: 'system', name: source, sourceAddress: null },
      {
        action: 'user.create-first-admin',
        targetType: 'user',
        targetId: u.id,
        after: { username: u.username, role: 'admin' },
      },
    );
    return { created: true };
  });
}
