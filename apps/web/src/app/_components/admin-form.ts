'use client';
/**
 * The state of a plain admin form (new user, certificate upload): it sends the form's data once,
 * clears itself on success, and on a refusal puts each message the server named beside its field.
 */
import { useRef, useState, type FormEvent } from 'react';
import { apiProblem } from '~/trpc/client';
import { useToast } from './toast';

export function useAdminForm<F extends string>(o: {
  /** The prefix of the fields' ids (`new` → `new-username`). */
  idPrefix: string;
  /** Sends the form; resolves with the toast to show. */
  send: (data: FormData) => Promise<string>;
  /** The server's field messages (path → message) as the form's fields' messages. */
  fieldErrors: (fields: Record<string, string>) => Partial<Record<F, string>>;
  /** Said above the marked fields (`Not created`). */
  refused: string;
  onSent: () => void;
}) {
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setBusy(true);
    setFormError(null);
    try {
      const text = await o.send(data);
      setErrors({});
      form.current?.reset();
      toast.ok(text);
      o.onSent();
    } catch (err) {
      const p = apiProblem(err);
      const fe = o.fieldErrors(p.fields);
      setErrors(fe);
      setFormError(Object.keys(fe).length > 0 ? `${o.refused}: fix the marked fields.` : p.message);
    } finally {
      setBusy(false);
    }
  }

  /** A field's id, name and error: the server names its fields as the form does. */
  const bind = (name: F) => ({ id: `${o.idPrefix}-${name}`, name, error: errors[name] });
  return { form, busy, formError, bind, onSubmit: (e: FormEvent<HTMLFormElement>) => void submit(e) };
}
