/**
 * Canonical JSON for hashing: object keys sorted, no whitespace, `undefined` members dropped.
 * JSONB does not keep key order, so a hash over what was written must be recomputable from what
 * is read back.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(toJsonValue(value)));
}

/** The value as JSON would carry it (Dates become ISO strings, undefined members vanish). */
export function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
