'use client';
import type { LiveState } from './live';

const TEXT: Record<LiveState, string> = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' };

/** The visible live/reconnecting flag of `useLiveInvalidation` (announced politely to screen readers). */
export function LiveIndicator({ state }: { state: LiveState }) {
  const live = state === 'live';
  return (
    <span
      role="status"
      aria-live="polite"
      data-live-state={state}
      className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
    >
      <span
        aria-hidden="true"
        className={`inline-block h-2 w-2 rounded-full ${live ? 'bg-emerald-500' : 'animate-pulse bg-amber-500'}`}
      />
      {TEXT[state]}
      {!live && <span className="sr-only"> (refreshing every 10 s until the live stream is back)</span>}
    </span>
  );
}
