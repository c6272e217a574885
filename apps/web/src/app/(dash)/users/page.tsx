'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { usePermission, type Role } from '../../_components/session';
import { useToast } from '../../_components/toast';
import {
  Badge,
  Banner,
  Button,
  Empty,
  FormInput,
  QueryStatus,
  Section,
  inputClass,
  mutedClass,
  useNow,
} from '../../_components/ui';
import { DataTable } from '../../_components/table';
import { ageText } from '../../_lib/vip-holders';
import { CreateUser, ROLES } from './create-user';

type User = RouterOutputs['users']['list'][number];

export default function UsersPage() {
  const { me, allowed: admin } = usePermission('edit');
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
          <DataTable
            className="w-full min-w-[30rem] text-left text-sm"
            columns={['User', 'Role', 'Status', 'Changed']}
            actions="Actions"
          >
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
          </DataTable>
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
        <FormInput
          id="reset-password"
          label="New password"
          error={passwordError}
          hint="At least 12 characters"
          type="password"
          autoComplete="new-password"
          value={newPassword}
          onChange={(e) => setNewPassword(e.target.value)}
        />
      </ConfirmDialog>
    </Section>
  );
}
