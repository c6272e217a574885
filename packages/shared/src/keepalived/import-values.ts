// The importer's value readers: each checks one keepalived statement's arguments and records what
// it cannot honour in the import context (keepalived/import.ts).
import type { KeepalivedStatement } from './parse.js';
import type { ImportIssue, UnsupportedKeyword } from './import.js';

export type Ctx = {
  unsupported: UnsupportedKeyword[];
  errors: ImportIssue[];
  notes: string[];
};

export const at = (st: KeepalivedStatement) => ({ file: st.file, line: st.line });

export function unsupported(ctx: Ctx, st: KeepalivedStatement, context: string): void {
  ctx.unsupported.push({ keyword: st.keyword, ...at(st), context });
}

export function int(ctx: Ctx, st: KeepalivedStatement, min: number, max: number): number | undefined {
  const v = st.args[0];
  if (v === undefined || !/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    ctx.errors.push({
      ...at(st),
      message: `${st.keyword} needs an integer ${min}..${max}, got ${JSON.stringify(v ?? '')}`,
    });
    return undefined;
  }
  return Number(v);
}

/** Seconds as written (decimals allowed where keepalived allows them) → integer ms. */
export function secondsMs(ctx: Ctx, st: KeepalivedStatement, decimals: boolean): number | undefined {
  const v = st.args[0];
  const re = decimals ? /^\d+(?:\.\d{1,3})?$/ : /^\d+$/;
  if (v === undefined || !re.test(v)) {
    ctx.errors.push({
      ...at(st),
      message: `${st.keyword} needs ${decimals ? 'seconds' : 'whole seconds'}, got ${JSON.stringify(v ?? '')}`,
    });
    return undefined;
  }
  return Math.round(Number(v) * 1000);
}

/** `NAME [weight N]` entries of track_script / track_interface. */
export function tracks(ctx: Ctx, st: KeepalivedStatement, context: string): { name: string; weight?: number }[] {
  return (st.block ?? []).flatMap((e) => {
    if (e.args.length === 0) return [{ name: e.keyword }];
    if (e.args[0] === 'weight' && e.args.length === 2) {
      const w = int(ctx, { ...e, keyword: 'weight', args: e.args.slice(1) }, -254, 254);
      return w === undefined ? [] : [{ name: e.keyword, weight: w }];
    }
    ctx.unsupported.push({ keyword: e.args[0] ?? '', ...at(e), context: `${context} ${st.keyword}` });
    return [{ name: e.keyword }];
  });
}
