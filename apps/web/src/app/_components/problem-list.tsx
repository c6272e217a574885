'use client';
/**
 * A cluster's problems as the overview and the cluster page show them: one rule set
 * (src/lib/problems.ts), one look, most severe first.
 */
import type { Problem } from '~/lib/problems';
import { useNow } from './ui';

const PROBLEM_CLASS: Record<Problem['severity'], string> = {
  critical: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100',
  warning: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100',
  info: 'border-slate-300 bg-slate-50 text-slate-800 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100',
};
const SEVERITY_WORD: Record<Problem['severity'], string> = { critical: 'Critical', warning: 'Warning', info: 'Note' };

export function ProblemList({ problems, label }: { problems: readonly Problem[]; label: string }) {
  return (
    <ul aria-label={label} className="mb-3 flex flex-col gap-1">
      {problems.map((p, i) => (
        <li
          key={`${p.kind}-${p.node ?? p.instance ?? i}`}
          data-problem={p.kind}
          className={`rounded border px-2 py-1 text-sm break-words ${PROBLEM_CLASS[p.severity]}`}
        >
          <span className="font-semibold">{SEVERITY_WORD[p.severity]}:</span> {p.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * Now on the dashboard's clock: the server's read time plus how long ago this browser got it, so a
 * skewed browser clock cannot make a silent node look fresh (or a fresh one stale). Re-rendered
 * every second.
 */
export function useDashboardNow(read: { data?: { readAt: number } | undefined; dataUpdatedAt: number }): number {
  const clientNow = useNow(1_000);
  return read.data ? read.data.readAt + Math.max(0, clientNow - read.dataUpdatedAt) : clientNow;
}
