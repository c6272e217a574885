/**
 * A readable before/after diff of two JSON values (an audit record's `before` and `after`): the
 * leaves that differ, each with its path (`pool.servers.2.weight`). Pure, for the audit page.
 */

export type JsonDiffLine =
  | { kind: 'added'; path: string; after: unknown }
  | { kind: 'removed'; path: string; before: unknown }
  | { kind: 'changed'; path: string; before: unknown; after: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaves by path; an empty object or array is a leaf of its own so it still shows. */
export function flatten(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v) && v.length > 0) v.forEach((x, i) => flatten(x, prefix ? `${prefix}.${i}` : String(i), out));
  else if (isObject(v) && Object.keys(v).length > 0)
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, v);
  return out;
}

/**
 * The differing leaves, in the order they appear (after's order, then what only before has).
 * `null`/`undefined` on one side (a create or a delete) lists every leaf of the other as added
 * or removed.
 */
export function jsonDiff(before: unknown, after: unknown): JsonDiffLine[] {
  const b = before === null || before === undefined ? new Map<string, unknown>() : flatten(before);
  const a = after === null || after === undefined ? new Map<string, unknown>() : flatten(after);
  const out: JsonDiffLine[] = [];
  for (const [path, av] of a) {
    if (!b.has(path)) out.push({ kind: 'added', path, after: av });
    else if (JSON.stringify(b.get(path)) !== JSON.stringify(av))
      out.push({ kind: 'changed', path, before: b.get(path), after: av });
  }
  for (const [path, bv] of b) if (!a.has(path)) out.push({ kind: 'removed', path, before: bv });
  return out;
}

/** A leaf as text: strings bare, the rest as JSON. */
export function leafText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '—';
  return JSON.stringify(v);
}
