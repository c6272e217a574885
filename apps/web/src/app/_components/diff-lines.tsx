/** The lines of a unified diff inside a <pre>: added and removed lines coloured and named for screen readers. */
export function DiffLines({ lines }: { lines: string[] }) {
  return (
    <>
      {lines.map((l, i) => (
        <span
          key={i}
          className={`block ${l.startsWith('+') ? 'bg-emerald-100 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100' : l.startsWith('-') ? 'bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-100' : l.startsWith('@@') ? 'text-sky-800 dark:text-sky-300' : ''}`}
        >
          {l.startsWith('+') ? (
            <span className="sr-only">added: </span>
          ) : l.startsWith('-') ? (
            <span className="sr-only">removed: </span>
          ) : null}
          {l || ' '}
        </span>
      ))}
    </>
  );
}
