'use client';
/** Tables: the column headers in the dashboard's looks, and a table of rows under them. */
import type { ReactNode } from 'react';

const thClass = 'py-1.5 pr-3 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300';

/** A column header: its text, or the text with a width class or a tooltip. */
export type Column = string | { label: string; className?: string; title?: string };

const HEAD_LOOK = {
  /** A page's table: a rule under the headers. */
  page: { thead: 'border-b border-slate-200 dark:border-slate-700', th: thClass },
  plain: { thead: undefined, th: thClass },
  /** A table inside a card. */
  compact: { thead: 'text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300', th: 'py-1 pr-3' },
  /** A small table inside text: each column's own classes only. */
  bare: { thead: undefined, th: undefined },
} as const;

/**
 * A table's column headers. `actions` adds a last column for row buttons, named for screen
 * readers only (its text, e.g. "Actions"); false or absent leaves it out.
 */
export function TableHead({
  columns,
  actions,
  look = 'page',
}: {
  columns: readonly Column[];
  actions?: string | false | undefined;
  look?: keyof typeof HEAD_LOOK;
}) {
  const { thead, th } = HEAD_LOOK[look];
  return (
    <thead className={thead}>
      <tr>
        {columns.map((c) => {
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th
              key={col.label}
              scope="col"
              className={[th, col.className].filter(Boolean).join(' ') || undefined}
              title={col.title}
            >
              {col.label}
            </th>
          );
        })}
        {actions && (
          <th scope="col" className={th}>
            <span className="sr-only">{actions}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/**
 * A table: an optional caption for screen readers, the column headers (see TableHead) and the rows
 * given as children.
 */
export function DataTable({
  className = 'w-full text-left text-sm',
  caption,
  label,
  children,
  ...head
}: Parameters<typeof TableHead>[0] & {
  className?: string;
  caption?: ReactNode;
  label?: string;
  children: ReactNode;
}) {
  return (
    <table className={className} aria-label={label}>
      {caption && <caption className="sr-only">{caption}</caption>}
      <TableHead {...head} />
      <tbody>{children}</tbody>
    </table>
  );
}
