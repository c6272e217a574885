'use client';
/** An admin adds a user: name, password and role; a refused field's message sits beside it. */
import { useRef, useState, type FormEvent } from 'react';
import { api, apiProblem } from '~/trpc/client';
import type { Role } from '../../_components/session';
import { useToast } from '../../_components/toast';
import { Button, ErrorAlert, FormInput, FormSelect } from '../../_components/ui';

export const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const ROLE_HELP: Record<Role, string> = {
  viewer: 'sees everything, changes nothing',
  operator: 'can also move VIPs and set maintenance',
  admin: 'can also edit config and manage users',
};

type FieldName = 'username' | 'password' | 'role';

export function CreateUser({ onCreated }: { onCreated: () => void }) {
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

  /** A field's id, name and error: the server names its fields as the form does. */
  const bind = (name: FieldName) => ({ id: `new-${name}`, name, error: errors[name] });

  return (
    <form ref={form} onSubmit={(e) => void submit(e)} aria-labelledby="new-user" className="space-y-3">
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
