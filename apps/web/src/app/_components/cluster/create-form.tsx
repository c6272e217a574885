'use client';
/**
 * The shell of the cluster page's "New …" forms: the draft, a review step that shows the change
 * (the spec diff, and for pools and virtual servers the rendered nginx diff per node) before anything is saved, the
 * create call, and a refusal with each field the server named.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import type { RouterOutputs } from '~/trpc/client';
import { Banner, Button } from '../ui';
import { refusal, type Refusal } from './form';
import { ConfigDiff } from './rollout';
import { CHANGE_QUERIES, SpecChange } from './spec-change';

type NginxPreview = RouterOutputs['pools']['preview'];
type Created = { version: number; revision: number | null };

/** What the cluster page gives each "New …" form. */
export interface CreateFormProps {
  clusterId: string;
  onDone: (text: string) => void;
  onCancel: () => void;
}

/** The problem's field messages whose path starts with `prefix`, as one line (for a multi-value field). */
export function under(problem: Refusal | null, prefix: string): string | undefined {
  return (
    Object.entries(problem?.kind === 'fields' ? problem.fields : {})
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, m]) => `${k}: ${m}`)
      .join('; ') || undefined
  );
}

/** The keys of a draft whose values are text. */
type TextKey<D> = { [K in keyof D]: D[K] extends string ? K : never }[keyof D] & string;

export function useCreate<D extends object, T extends { name: string }>(o: {
  what: string;
  /** The input field of the object (`pool`): the spec diff's root and the prefix of the server's field paths. */
  field: string;
  /** The area's list query (`pools.list`). */
  list: string;
  init: () => D;
  build: (d: D) => T;
  create: (obj: T) => Promise<Created>;
  /** The rendered nginx diff of the draft (pools, virtual servers). */
  nginx?: (obj: T) => Promise<NginxPreview>;
  onDone: (text: string) => void;
}) {
  const uid = useId();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<D>(o.init);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Refusal | null>(null);
  const [review, setReview] = useState<{ obj: T; nginx: NginxPreview | null } | null>(null);
  const fieldError = (k: string) => (problem?.kind === 'fields' ? problem.fields[k] : undefined);
  const set = (p: Partial<D>) => (setDraft((d) => ({ ...d, ...p })), setProblem(null), setReview(null));
  const bind = (k: TextKey<D>) => ({
    id: `${uid}-${k}`,
    value: draft[k] as string,
    onChange: (v: string) => set({ [k]: v } as Partial<D>),
    error: fieldError(k),
  });
  /** For a field of several values: its errors are those of the paths under `prefix` (`vips.0.address`). */
  const bindList = (k: TextKey<D>, prefix: string = k) => ({ ...bind(k), error: under(problem, prefix) });
  async function run(step: () => Promise<void>) {
    setBusy(true);
    setProblem(null);
    try {
      await step();
    } catch (e) {
      setReview(null);
      setProblem(refusal(e, o.field));
    } finally {
      setBusy(false);
    }
  }
  const startReview = () =>
    run(async () => {
      const obj = o.build(draft);
      setReview({ obj, nginx: o.nginx ? await o.nginx(obj) : null });
    });
  const save = () =>
    run(async () => {
      if (!review) return;
      const r = await o.create(review.obj);
      await Promise.all([o.list, ...CHANGE_QUERIES].map((k) => qc.invalidateQueries({ queryKey: [k] })));
      o.onDone(
        `Created ${o.what} ${review.obj.name}${r.revision !== null ? ` — config revision ${r.revision} created; nodes apply it next` : ''}.`,
      );
    });
  return { uid, draft, set, bind, bindList, fieldError, busy, problem, review, setReview, startReview, save, ...o };
}

/** The form around a create's fields: its refusal, the review of the change, and its buttons. */
export function CreateShell<D extends object, T extends { name: string }>({
  c,
  onCancel,
  children,
}: {
  c: ReturnType<typeof useCreate<D, T>>;
  onCancel: () => void;
  children: ReactNode;
}) {
  const p = c.problem;
  return (
    <form
      aria-label={`New ${c.what}`}
      className="space-y-3 rounded border border-sky-300 p-3 dark:border-sky-800"
      onSubmit={(e) => {
        e.preventDefault();
        void (c.review ? c.save() : c.startReview());
      }}
    >
      <h3 className="font-semibold">New {c.what}</h3>
      {p && (
        <Banner tone="error" role="alert">
          <p>Not created: {p.text}</p>
          {p.kind === 'fields' &&
            Object.entries(p.fields).map(([k, m]) => (
              <span key={k} className="block">
                {c.field}.{k}: {m}
              </span>
            ))}
        </Banner>
      )}
      {children}
      {!c.review ? (
        <div className="flex items-center justify-end gap-2">
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" tone="primary" disabled={c.busy}>
            {c.busy ? 'Rendering…' : 'Review changes'}
          </Button>
        </div>
      ) : (
        <div role="region" aria-label={`Changes of the new ${c.what}`} className="space-y-2">
          <SpecChange field={c.field} before={null} after={c.review.obj} label={`Spec diff of the new ${c.what}`} />
          {c.review.nginx && (
            <>
              <p className="text-sm">What the nodes&apos; nginx config would change:</p>
              {c.review.nginx.diffs.map((d) => (
                <ConfigDiff key={d.nodes.join(',')} diff={d} />
              ))}
            </>
          )}
          <div className="flex items-center justify-end gap-2">
            <Button onClick={() => c.setReview(null)}>Back to editing</Button>
            <Button onClick={onCancel}>Cancel</Button>
            <Button type="submit" tone="primary" disabled={c.busy}>
              {c.busy ? 'Saving…' : `Create ${c.what}`}
            </Button>
          </div>
        </div>
      )}
    </form>
  );
}
