'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { can, useMe } from '../../_components/session';
import { useToast } from '../../_components/toast';
import {
  Badge,
  Banner,
  Button,
  Empty,
  Field,
  QueryStatus,
  Section,
  inputClass,
  mutedClass,
  useNow,
  TableHead,
} from '../../_components/ui';
import { ageText } from '../../_lib/vip-holders';

type User = RouterOutputs['users']['list'][number];
type Role = User['role'];
const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const ROLE_HELP: Record<Role, string> = {
  viewer: 'sees everything, changes nothing',
  operator: 'can also move VIPs and set maintenance',
  admin: 'can also edit config and manage users',
};

type FieldName = 'username' | 'password' | 'role';

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const username = String(f.get('username') ?? '').trim();
    setBusy(true);
    setFormError(null);
    try {
      await api.users.create.mutate({
        username,
        password: String(f.get('password') ?? ''),
        role: String(f.get('role')) as Role,
      });
      setErrors({});
      form.current?.reset();
      toast.ok(`User ${username} created`);
      onCreated();
    } catch (err) {
      const p = apiProblem(err);
      const fe: Partial<Record<FieldName, string>> = {};
      for (const k of ['username', 'password', 'role'] as const) if (p.fields[k]) fe[k] = p.fields[k];
      setErrors(fe);
      setFormError(Object.keys(fe).length > 0 ? 'Not created: fix the marked fields.' : p.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form} onSubmit={(e) => void submit(e)} aria-labelledby="new-user" className="space-y-3">
      <h3 id="new-user" className="text-sm font-semibold">
        New user
      </h3>
      {formError && (
        <Banner tone="error" role="alert">
          {formError}
        </Banner>
      )}
      <div className="grid items-start gap-3 sm:grid-cols-3">
        <Field id="new-username" label="Username" error={errors.username} hint="Lowercase letters, digits, . _ -">
          {(p) => <input {...p} name="username" required autoComplete="off" className={`${inputClass} w-full`} />}
        </Field>
        <Field id="new-password" label="Password" error={errors.password} hint="At least 12 characters">
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              required
              autoComplete="new-password"
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
        <Field id="new-role" label="Role" error={errors.role}>
          {(p) => (
            <select {...p} name="role" defaultValue="viewer" className={`${inputClass} w-full`}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r} — {ROLE_HELP[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Button type="submit" tone="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </Button>
    </form>
  );
}

export default function UsersPage() {
  const me = useMe();
  const admin = can(me.data?.role, 'edit');
  const now = useNow(10_000);
  const qc = useQueryClient();
  const toast = useToast();
  const users = useQuery({ queryKey: ['users.list'], queryFn: () => api.users.list.query(), enabled: admin });
  const [disabling, setDisabling] = useState<User | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; message: string } | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string | undefined>(undefined);

  async function resetPassword(u: User) {
    setBusy(u.id);
    try {
      await api.users.setPassword.mutate({ id: u.id, version: u.version, password: newPassword });
      toast.ok(`${u.username} has a new password and was signed out`);
      setResetting(null);
      setNewPassword('');
      setPasswordError(undefined);
    } catch (e) {
      const p = apiProblem(e);
      setPasswordError(p.fields.password ?? p.message);
    } finally {
      setBusy(null);
      await qc.invalidateQueries({ queryKey: ['users.list'] });
    }
  }

  async function update(u: User, change: { role?: Role; disabled?: boolean }, done: string) {
    setBusy(u.id);
    setRowError(null);
    try {
      await api.users.update.mutate({ id: u.id, version: u.version, ...change });
      toast.ok(done);
    } catch (e) {
      const p = apiProblem(e);
      setRowError({ id: u.id, message: p.fields.role ?? p.fields.version ?? p.message });
      toast.error(`${u.username} not changed: ${p.message}`);
    } finally {
      setBusy(null);
      setDisabling(null);
      await qc.invalidateQueries({ queryKey: ['users.list'] });
    }
  }

  if (!admin) {
    return (
      <Section title="Users" id="users">
        <Banner tone="info">Only admins manage users.</Banner>
      </Section>
    );
  }

  return (
    <Section title="Users" id="users">
      <div className="space-y-6">
        <QueryStatus query={users} what="the users" />
        {users.data?.length === 0 && <Empty>No users.</Empty>}
        {users.data && users.data.length > 0 && (
          <table className="w-full min-w-[30rem] text-left text-sm">
            <TableHead columns={['User', 'Role', 'Status', 'Changed']} actions="Actions" />
            <tbody>
              {users.data.map((u) => {
                const self = u.id === me.data?.id;
                const err = rowError?.id === u.id ? rowError.message : undefined;
                return (
                  <tr key={u.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                    <th scope="row" className="py-1.5 pr-3 font-medium">
                      {u.username}
                      {self && <span className={`ml-1 text-xs font-normal ${mutedClass}`}>(you)</span>}
                    </th>
                    <td className="py-1.5 pr-3">
                      <select
                        aria-label={`Role of ${u.username}`}
                        aria-invalid={err ? true : undefined}
                        aria-describedby={err ? `role-error-${u.id}` : undefined}
                        value={u.role}
                        disabled={busy === u.id}
                        onChange={(e) =>
                          void update(u, { role: e.target.value as Role }, `${u.username} is now ${e.target.value}`)
                        }
                        className={inputClass}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      {err && (
                        <span
                          id={`role-error-${u.id}`}
                          role="alert"
                          className="mt-1 block text-xs font-medium text-red-700 dark:text-red-300"
                        >
                          {err}
                        </span>
                      )}
                    </td>
                    <td className="py-1.5 pr-3">
                      {u.disabled ? <Badge tone="fault">disabled</Badge> : <Badge tone="master">active</Badge>}
                    </td>
                    <td className="py-1.5 pr-3 whitespace-nowrap" title={u.updatedAt.toISOString()}>
                      {ageText(u.updatedAt, now)}
                    </td>
                    <td className="py-1.5">
                      <div className="flex justify-end gap-1">
                        <Button
                          disabled={busy === u.id}
                          onClick={() => {
                            setPasswordError(undefined);
                            setNewPassword('');
                            setResetting(u);
                          }}
                          aria-label={`Set password for ${u.username}`}
                        >
                          Set password
                        </Button>
                        {u.disabled ? (
                          <Button
                            disabled={busy === u.id}
                            onClick={() => void update(u, { disabled: false }, `${u.username} can sign in again`)}
                            aria-label={`Enable ${u.username}`}
                          >
                            Enable
                          </Button>
                        ) : (
                          <Button
                            tone="danger"
                            disabled={busy === u.id}
                            onClick={() => setDisabling(u)}
                            aria-label={`Disable ${u.username}`}
                          >
                            Disable
                          </Button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <CreateUser onCreated={() => void qc.invalidateQueries({ queryKey: ['users.list'] })} />
      </div>
      <ConfirmDialog
        open={disabling !== null}
        title={`Disable ${disabling?.username ?? ''}?`}
        confirmLabel="Disable user"
        danger
        busy={busy !== null}
        onConfirm={() =>
          disabling && void update(disabling, { disabled: true }, `${disabling.username} is disabled and signed out`)
        }
        onCancel={() => setDisabling(null)}
      >
        <p>
          {disabling?.username} is signed out everywhere now and cannot sign in until an admin enables the account
          again. Their audit records stay.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={resetting !== null}
        title={`New password for ${resetting?.username ?? ''}`}
        confirmLabel="Set password"
        busy={busy !== null}
        onConfirm={() => resetting && void resetPassword(resetting)}
        onCancel={() => setResetting(null)}
      >
        <p>Their open sessions end; they sign in again with the new password.</p>
        <Field id="reset-password" label="New password" error={passwordError} hint="At least 12 characters">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
      </ConfirmDialog>
    </Section>
  );
}
