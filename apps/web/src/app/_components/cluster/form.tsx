'use client';
/**
 * Form pieces for the cluster page's editors: a labelled input whose error (from the server's
 * field path) sits beside it and is read with it, and the mapping of a refused call to fields.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { apiProblem } from '~/trpc/client';
import { Banner, Button, FieldNotes, describedBy, inputClass } from '../ui';

/** A number when the text is one; otherwise the text itself, so the server names the field. */
export const num = (s: string): number => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : (s as unknown as number));

export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  hint?: string;
  className?: string;
  mono?: boolean;
  inputMode?: 'numeric' | 'text';
  multiline?: boolean;
}) {
  const common = {
    id: props.id,
    value: props.value,
    'aria-invalid': props.error ? (true as const) : undefined,
    'aria-describedby': describedBy(props.id, props.error, props.hint),
    className: `${inputClass} ${props.mono ? 'font-mono' : ''} ${props.className ?? 'w-28'}`,
    spellCheck: false,
  };
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={props.id} className="text-xs font-medium">
        {props.label}
      </label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          inputMode={props.inputMode}
          autoComplete="off"
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      <FieldNotes id={props.id} error={props.error} hint={props.hint} />
    </div>
  );
}

export function CheckField({
  id,
  label,
  checked,
  onChange,
}: {
  id: string;
  label: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label htmlFor={id} className="flex items-center gap-1.5 self-end pb-1 text-sm">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="size-4 accent-sky-700"
      />
      {label}
    </label>
  );
}

/** A labelled choice among fixed options (value → text, in the object's order). */
export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  error,
}: {
  id: string;
  label: ReactNode;
  value: V;
  options: Readonly<Record<V, string>>;
  onChange: (v: V) => void;
  error?: string | undefined;
}) {
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={id} className="text-xs font-medium">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as V)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, undefined)}
        className="rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900"
      >
        {(Object.entries(options) as [V, string][]).map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <FieldNotes id={id} error={error} hint={undefined} />
    </div>
  );
}

/** An editor's last row: a note on the left (when there is one), Cancel, and the submit button. */
export function EditorActions({
  busy,
  save,
  onCancel,
  note,
}: {
  busy: boolean;
  save: string;
  onCancel: () => void;
  note?: ReactNode;
}) {
  return (
    <div className="flex items-center justify-end gap-2">
      {note && <span className="mr-auto text-xs text-slate-600 dark:text-slate-300">{note}</span>}
      <Button onClick={onCancel}>Cancel</Button>
      <Button type="submit" tone="primary" disabled={busy}>
        {busy ? 'Saving…' : save}
      </Button>
    </div>
  );
}

/** A save refused for someone else's change in between. */
export function ConflictBanner({ what, text, children }: { what: string; text: string; children?: ReactNode }) {
  return (
    <Banner tone="warn" role="alert">
      <p className="font-semibold">Not saved: someone else changed {what} while you were editing.</p>
      <p>{text}</p>
      {children}
    </Banner>
  );
}

/** A refused save's message, and the field errors no field of the form shows. */
export function RefusalBanner({ text, fields }: { text: string; fields: [string, string][] }) {
  return (
    <Banner tone="error" role="alert">
      {text}
      {fields.map(([k, m]) => (
        <span key={k} className="block">
          {k}: {m}
        </span>
      ))}
    </Banner>
  );
}

export type Refusal =
  | { kind: 'conflict'; text: string }
  | { kind: 'fields'; fields: Record<string, string>; text: string }
  | { kind: 'error'; text: string };

/**
 * A refused save for a form whose object sits under `field` (`instance`, `check`): field errors
 * keyed without that prefix (`vrid`, `vips.0.address`); a spec-wide rule's path
 * (`spec.vrrpInstances.0.vrid`) is shown with the general message.
 */
export function refusal(e: unknown, field: string): Refusal {
  const p = apiProblem(e);
  if (p.code === 'CONFLICT' && p.fields.version) return { kind: 'conflict', text: p.fields.version };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.fields)) if (k.startsWith(`${field}.`)) fields[k.slice(field.length + 1)] = v;
  if (Object.keys(fields).length > 0) return { kind: 'fields', fields, text: 'Not saved: fix the marked fields.' };
  return { kind: 'error', text: p.message };
}

/** The keys of a draft whose values are text. */
type TextKey<D> = { [K in keyof D]: D[K] extends string ? K : never }[keyof D] & string;

/**
 * An editor's draft, save and refusal. `set` changes the draft and clears a shown refusal;
 * `bind(key)` is a text field's id, value, change and error for a draft key named as its server
 * field. `save` runs `mutate` on the draft, refreshes `queries` and hands the result to `saved`; a
 * refusal is kept with its fields under `field` (see `refusal`).
 */
export function useEditor<D extends object, R>(o: {
  init: () => D;
  field: string;
  queries: string[];
  mutate: (draft: D) => Promise<R>;
  saved: (result: R) => void;
}) {
  const uid = useId();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<D>(o.init);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Refusal | null>(null);
  const fieldError = (k: string) => (problem?.kind === 'fields' ? problem.fields[k] : undefined);
  const set = (p: Partial<D>) => (setDraft((d) => ({ ...d, ...p })), setProblem(null));
  const bind = (k: TextKey<D>) => ({
    id: `${uid}-${k}`,
    value: draft[k] as string,
    onChange: (v: string) => set({ [k]: v } as Partial<D>),
    error: fieldError(k),
  });
  async function save() {
    setBusy(true);
    setProblem(null);
    try {
      const r = await o.mutate(draft);
      await Promise.all(o.queries.map((k) => qc.invalidateQueries({ queryKey: [k] })));
      o.saved(r);
    } catch (e) {
      setProblem(refusal(e, o.field));
    } finally {
      setBusy(false);
    }
  }
  return { uid, draft, set, busy, problem, fieldError, bind, save };
}
