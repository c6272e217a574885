'use client';
/**
 * Toasts: short results of an action ("Node lb3 added"), announced to screen readers through a
 * polite live region (an error through an assertive one). They leave by themselves after a while
 * and can be dismissed; anything the user must act on belongs in the page, not in a toast.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { FOCUS } from './ui';

type Tone = 'ok' | 'error';
interface Toast {
  id: number;
  tone: Tone;
  text: string;
}

const ToastContext = createContext<(tone: Tone, text: string) => void>(() => undefined);

const TTL_MS = { ok: 5_000, error: 10_000 } as const;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (tone: Tone, text: string) => {
      const id = next.current++;
      // At most a few on screen: the oldest go first.
      setToasts((ts) => [...ts.slice(-3), { id, tone, text }]);
      setTimeout(() => dismiss(id), TTL_MS[tone]);
    },
    [dismiss],
  );
  const list = (tone: Tone) =>
    toasts
      .filter((t) => t.tone === tone)
      .map((t) => (
        <div
          key={t.id}
          data-testid="toast"
          className={`pointer-events-auto flex items-start gap-3 rounded-md border px-3 py-2 text-sm shadow-lg ${
            tone === 'ok'
              ? 'border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-50'
              : 'border-red-300 bg-red-50 text-red-950 dark:border-red-700 dark:bg-red-950 dark:text-red-50'
          }`}
        >
          <span className="flex-1">{t.text}</span>
          <button
            type="button"
            onClick={() => dismiss(t.id)}
            aria-label="Dismiss notification"
            className={`rounded px-1 leading-none ${FOCUS}`}
          >
            ×
          </button>
        </div>
      ));
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="pointer-events-none fixed right-3 bottom-3 left-3 z-50 flex flex-col items-end gap-2 sm:left-auto sm:w-96">
        <div role="status" aria-live="polite" className="flex w-full flex-col gap-2">
          {list('ok')}
        </div>
        <div role="alert" aria-live="assertive" className="flex w-full flex-col gap-2">
          {list('error')}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

/** `toast.ok('Saved')`, `toast.error(problem.message)`. */
export function useToast() {
  const push = useContext(ToastContext);
  return useMemo(
    () => ({ ok: (text: string) => push('ok', text), error: (text: string) => push('error', text) }),
    [push],
  );
}
