'use client';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './ui';

/**
 * A modal confirmation on the native <dialog> (focus is trapped and Escape cancels by the
 * browser itself). The confirm button is not focused first: Enter at 3 a.m. should not move a VIP.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Room for a diff (a config change's confirmation). */
  wide?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // Several dialogs may sit on one page: each needs its own title id.
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      className={`m-auto w-full ${props.wide ? 'max-w-3xl' : 'max-w-md'} rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100`}
    >
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          {props.title}
        </h2>
        <div className="space-y-2 text-sm">{props.children}</div>
        <div className="flex justify-end gap-2 pt-2">
          <Button autoFocus onClick={props.onCancel}>
            Cancel
          </Button>
          <Button tone={props.danger ? 'danger' : 'primary'} disabled={props.busy} onClick={props.onConfirm}>
            {props.busy ? 'Working…' : props.confirmLabel}
          </Button>
        </div>
      </div>
    </dialog>
  );
}
