'use client';
/** Small shared pieces: buttons, badges, banners, a ticking clock for ages. */
import {
  useEffect,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

export const FOCUS = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600';

type Tone = 'primary' | 'secondary' | 'danger' | 'ghost';
const TONES: Record<Tone, string> = {
  primary: 'bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-700/50',
  secondary:
    'border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700',
  danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-red-700/50',
  ghost: 'text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-700',
};

export function Button({
  tone = 'secondary',
  className = '',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: Tone }) {
  return (
    <button
      type="button"
      {...rest}
      className={`inline-flex items-center gap-1 rounded px-2.5 py-1 text-sm font-medium disabled:cursor-not-allowed ${FOCUS} ${TONES[tone]} ${className}`}
    />
  );
}

export const inputClass = `rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900 ${FOCUS} aria-[invalid=true]:border-red-600 aria-[invalid=true]:bg-red-50 dark:aria-[invalid=true]:bg-red-950`;
export const linkClass = `text-sky-700 underline-offset-2 hover:underline dark:text-sky-400 ${FOCUS}`;

const STATE_TONES: Record<string, string> = {
  master: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-900 dark:text-emerald-100',
  backup: 'bg-slate-100 text-slate-800 ring-slate-500/30 dark:bg-slate-800 dark:text-slate-100',
  fault: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-900 dark:text-red-100',
  maintenance: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-900 dark:text-amber-100',
  warn: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-900 dark:text-amber-100',
  unknown: 'bg-white text-slate-600 ring-slate-400/40 dark:bg-slate-900 dark:text-slate-300',
};

export function Badge({ tone, children, title }: { tone: string; children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-semibold uppercase tracking-wide ring-1 ring-inset ${STATE_TONES[tone] ?? STATE_TONES.unknown}`}
    >
      {children}
    </span>
  );
}

export function Banner({
  tone,
  children,
  role = 'status',
}: {
  tone: 'error' | 'warn' | 'ok' | 'info';
  children: ReactNode;
  role?: 'status' | 'alert';
}) {
  const c = {
    error: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100',
    warn: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100',
    ok: 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100',
    info: 'border-slate-300 bg-white text-slate-800 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100',
  }[tone];
  return (
    <div role={role} className={`rounded border px-3 py-2 text-sm ${c}`}>
      {children}
    </div>
  );
}

const SECTION_LOOK = {
  /** A page's section; its content scrolls sideways inside it when wider (a table on a phone). */
  page: {
    section: 'rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900',
    head: 'mb-3 flex items-center justify-between gap-2',
    Heading: 'h2',
  },
  /** A card among others on a page (the overview's clusters): a level lower, its content as it is. */
  card: {
    section: 'min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-700',
    head: 'mb-2 flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1',
    Heading: 'h3',
  },
} as const;

/** A section named by its heading, with `actions` (buttons, a note) at the heading's end. */
export function Section({
  title,
  id,
  actions,
  look = 'page',
  children,
}: {
  title: ReactNode;
  id: string;
  actions?: ReactNode;
  look?: keyof typeof SECTION_LOOK;
  children: ReactNode;
}) {
  const { section, head, Heading } = SECTION_LOOK[look];
  return (
    <section aria-labelledby={id} className={section}>
      <div className={head}>
        <Heading id={id} className="text-base font-semibold">
          {title}
        </Heading>
        {actions}
      </div>
      {look === 'card' ? (
        children
      ) : (
        // relative: the sr-only (absolutely positioned) text in a wide table stays inside this scroller instead of widening the page.
        <div className="relative overflow-x-auto">{children}</div>
      )}
    </section>
  );
}

/** The current time, re-rendered every second so ages ("12 s ago") stay true between polls. */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
      Loading {what}…
    </p>
  );
}

/** A list with nothing in it yet, and what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="rounded border border-dashed border-slate-300 px-3 py-4 text-sm text-slate-600 dark:border-slate-600 dark:text-slate-300">
      {children}
    </p>
  );
}

/** A refusal or failure the user must read: nothing when there is no message. */
export function ErrorAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Banner tone="error" role="alert">
      {message}
    </Banner>
  );
}

/** A failed load, with the server's message and a way to try again. */
export function LoadError({ what, message, onRetry }: { what: string; message: string; onRetry?: () => void }) {
  return (
    <Banner tone="error" role="alert">
      <span>
        Could not load {what}: {message}
      </span>
      {onRetry && (
        <Button className="ml-2" onClick={onRetry}>
          Retry
        </Button>
      )}
    </Banner>
  );
}

/** What a query shows before it has data: "Loading …" while pending, the failure with Retry on error. */
export function QueryStatus({
  query,
  what,
}: {
  query: { isPending: boolean; error: { message: string } | null; refetch: () => unknown };
  what: string;
}) {
  if (query.error) return <LoadError what={what} message={query.error.message} onRetry={() => void query.refetch()} />;
  return query.isPending ? <Loading what={what} /> : null;
}

/**
 * A labelled form control with its error beside it: the control gets `aria-invalid` and
 * `aria-describedby` pointing at the message, so a screen reader reads the error with the field.
 */
export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (props: {
    id: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(id, error, hint) })}
      <FieldNotes id={id} error={error} hint={hint} />
    </div>
  );
}

/** The ids a control's aria-describedby names: its error and its hint, when there are (see FieldNotes). */
export const describedBy = (id: string, error: string | undefined, hint: string | undefined) =>
  [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;

/** A control's hint and error under it, with the ids describedBy names. */
export function FieldNotes({ id, error, hint }: { id: string; error: string | undefined; hint: string | undefined }) {
  return (
    <>
      {hint && (
        <span id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-300">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="text-xs font-medium text-red-700 dark:text-red-300">
          {error}
        </span>
      )}
    </>
  );
}

type FieldProps = { id: string; label: string; error?: string | undefined; hint?: string | undefined };

/** Field's props and the control's own apart; the control gets its classes after inputClass. */
function splitField<P extends FieldProps & { className?: string | undefined }>(props: P) {
  const { id, label, error, hint, className, ...control } = props;
  return {
    field: { id, label, error, hint },
    control,
    className: className ? `${inputClass} ${className}` : inputClass,
  };
}

/** A Field holding an input; the other props go to the input. */
export function FormInput(props: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const { field, control, className } = splitField(props);
  return <Field {...field}>{(p) => <input {...p} {...control} className={className} />}</Field>;
}

/** A Field holding a textarea (no spell checking: it holds config or keys); the other props go to the textarea. */
export function FormTextarea(props: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { field, control, className } = splitField(props);
  return <Field {...field}>{(p) => <textarea {...p} spellCheck={false} {...control} className={className} />}</Field>;
}

/** A Field holding a select whose options are the children; the other props go to the select. */
export function FormSelect(props: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const { field, control, className } = splitField(props);
  return <Field {...field}>{(p) => <select {...p} {...control} className={className} />}</Field>;
}

export const mutedClass = 'text-slate-600 dark:text-slate-300';
