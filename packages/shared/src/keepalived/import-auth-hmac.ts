// keepalived 2.4 `auth_hmac { … }` → the instance's `authHmac` (spec/vrrp-instance.ts).
import type { KeepalivedStatement } from './parse.js';
import { at, int, unsupported, type Ctx } from './import-values.js';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** A key value as keepalived reads it: `hex:` raw bytes, else the ASCII string itself. */
function keyHex(value: string): string {
  if (value.startsWith('hex:')) return value.slice(4).toLowerCase();
  return Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function importAuthHmac(ctx: Ctx, st: KeepalivedStatement, context: string): Record<string, unknown> | null {
  const keys: { id: number; hex: string }[] = [];
  const out: Record<string, unknown> = { keys };
  for (const s of st.block ?? []) {
    switch (s.keyword) {
      case 'key': {
        const id = int(ctx, { ...s, keyword: 'key id' }, 1, 255);
        const value = s.args[1];
        if (value === undefined) {
          ctx.errors.push({ ...at(s), message: 'auth_hmac key needs an id and a value' });
        } else if (value.startsWith('file:')) {
          // The file lives on the host that ran keepalived: the dashboard cannot read it.
          ctx.errors.push({
            ...at(s),
            message: `auth_hmac key ${s.args[0]} reads ${value}: paste the key (hex:…) instead`,
          });
        } else if (value.startsWith('hex:') && !HEX.test(value.slice(4))) {
          ctx.errors.push({ ...at(s), message: `auth_hmac key ${s.args[0]}: hex: needs an even number of hex digits` });
        } else if (id !== undefined) {
          keys.push({ id, hex: keyHex(value) });
        }
        break;
      }
      case 'active_key':
        out.activeKey = int(ctx, s, 1, 255);
        break;
      case 'anti_replay':
      case 'mode': {
        const allowed = s.keyword === 'mode' ? ['enforce', 'permissive', 'receive-only'] : ['time', 'monotonic'];
        const v = s.args[0] ?? '';
        if (allowed.includes(v)) out[s.keyword === 'mode' ? 'mode' : 'antiReplay'] = v;
        else
          ctx.errors.push({
            ...at(s),
            message: `${s.keyword} needs one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
          });
        break;
      }
      case 'time_window':
        out.timeWindowS = int(ctx, s, 1, 300);
        break;
      default:
        unsupported(ctx, s, `${context} auth_hmac`);
    }
  }
  if (keys.length > 0) return out;
  if (!(st.block ?? []).some((s) => s.keyword === 'key'))
    ctx.errors.push({ ...at(st), message: 'auth_hmac needs at least one key' });
  return null;
}
