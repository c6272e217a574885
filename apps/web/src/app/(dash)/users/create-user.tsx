'use client';
/** An admin adds a user: name, password and role; a refused field's message sits beside it. */
import { api } from '~/trpc/client';
import { useAdminForm } from '../../_components/admin-form';
import type { Role } from '../../_components/session';
import { Button, ErrorAlert, FormInput, FormSelect } from '../../_components/ui';

export const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const ROLE_HELP: Record<Role, string> = {
  viewer: 'sees everything, changes nothing',
  operator: 'can also move VIPs and set maintenance',
  admin: 'can also edit config and manage users',
};

type FieldName = 'username' | 'password' | 'role';

export function CreateUser({ onCreated }: { onCreated: () => void }) {
  const { form, busy, formError, bind, onSubmit } = useAdminForm<FieldName>({
    idPrefix: 'new',
    send: async (f) => {
      const username = String(f.get('username') ?? '').trim();
      await api.users.create.mutate({
        username,
        password: String(f.get('password') ?? ''),
        role: String(f.get('role')) as Role,
      });
      return `User ${username} created`;
    },
    fieldErrors: (fields) => {
      const fe: Partial<Record<FieldName, string>> = {};
      for (const k of ['username', 'password', 'role'] as const) if (fields[k]) fe[k] = fields[k];
      return fe;
    },
    refused: 'Not created',
    onSent: onCreated,
  });

  return (
    <form ref={form} onSubmit={onSubmit} aria-labelledby="new-user" className="space-y-3">
      <h3 id="new-user" className="text-sm font-semibold">
        New user
      </h3>
      <ErrorAlert message={formError} />
      <div className="grid items-start gap-3 sm:grid-cols-3">
        <FormInput
          {...bind('username')}
          label="Username"
          hint="Lowercase letters, digits, . _ -"
          required
          autoComplete="off"
        />
        <FormInput
          {...bind('password')}
          label="Password"
          hint="At least 12 characters"
          type="password"
          required
          autoComplete="new-password"
        />
        <FormSelect {...bind('role')} label="Role" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r} — {ROLE_HELP[r]}
            </option>
          ))}
        </FormSelect>
      </div>
      <Button type="submit" tone="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </Button>
    </form>
  );
}
