// keepalived.conf blocks → spec objects: `vrrp_script` → a health check, `vrrp_instance` → a VRRP
// instance with this node as its one member (keepalived/import.ts assembles them).
import type { ClusterSpecInput } from '../spec/cluster.js';
import { ArgvSchema, addressFamily } from '../spec/grammar.js';
import { splitScriptCommand, type KeepalivedStatement } from './parse.js';
import { importAuthHmac } from './import-auth-hmac.js';
import { at, int, secondsMs, tracks, unsupported, type Ctx } from './import-values.js';

export type Check = NonNullable<ClusterSpecInput['checks']>[number];

/** How a keyword's one value is read into its spec field (an error is recorded, the field left unset). */
type ReadValue = (ctx: Ctx, st: KeepalivedStatement) => number | undefined;
function intIn(min: number, max: number): ReadValue {
  return (ctx, st) => int(ctx, st, min, max);
}
function seconds(decimals: boolean): ReadValue {
  return (ctx, st) => secondsMs(ctx, st, decimals);
}

/** The keywords whose one value maps straight to one spec field: keyword → [field, reader]. */
type PlainKeywords = ReadonlyMap<string, readonly [field: string, read: ReadValue]>;

/** Sets the field of a plain keyword; false for any other keyword. */
function readPlain(keywords: PlainKeywords, ctx: Ctx, st: KeepalivedStatement, into: Record<string, unknown>): boolean {
  const plain = keywords.get(st.keyword);
  if (!plain) return false;
  into[plain[0]] = plain[1](ctx, st);
  return true;
}

const SCRIPT_KEYWORDS: PlainKeywords = new Map([
  ['interval', ['intervalMs', seconds(false)]],
  ['timeout', ['timeoutMs', seconds(false)]],
  ['fall', ['fall', intIn(1, 255)]],
  ['rise', ['rise', intIn(1, 255)]],
]);

export function importScript(ctx: Ctx, st: KeepalivedStatement): Check | null {
  const name = st.args[0] ?? '';
  const context = `vrrp_script ${name}`;
  const check: Record<string, unknown> = { kind: 'script', name };
  for (const s of st.block ?? []) {
    if (readPlain(SCRIPT_KEYWORDS, ctx, s, check)) continue;
    switch (s.keyword) {
      case 'script': {
        const words = splitScriptCommand(s.args.join(' '));
        if (!words || words.length === 0) {
          ctx.errors.push({ ...at(s), message: 'script needs a command' });
        } else if (words.length === 3 && words[0] === '/bin/sh' && words[1] === '-c') {
          // The form the exporter writes for a shell line.
          check.command = { shell: words[2] };
        } else if (ArgvSchema.safeParse(words).success) {
          check.command = { argv: words };
        } else {
          // keepalived finds a bare program name on PATH; the agent executes argv without a
          // search, so a shell does the lookup (and anything else the line relies on).
          check.command = { shell: s.args.join(' ') };
          ctx.notes.push(
            `${s.file}:${s.line}: script of ${name} runs through /bin/sh -c (its program is not an absolute path or it uses shell syntax)`,
          );
        }
        break;
      }
      case 'weight':
        check.weight = int(ctx, s, -254, 254);
        if (s.args.length > 1)
          ctx.unsupported.push({ keyword: `weight ${s.args.slice(1).join(' ')}`, ...at(s), context });
        break;
      case 'init_fail':
        check.initFail = true;
        break;
      case 'user':
        check.user = s.args[1] === undefined ? { user: s.args[0] } : { user: s.args[0], group: s.args[1] };
        break;
      default:
        unsupported(ctx, s, context);
    }
  }
  if (!check.command) {
    ctx.errors.push({ ...at(st), message: `vrrp_script ${name} has no script` });
    return null;
  }
  return check as Check;
}

export type Instance = NonNullable<ClusterSpecInput['vrrpInstances']>[number];

const INSTANCE_KEYWORDS: PlainKeywords = new Map([
  ['virtual_router_id', ['vrid', intIn(1, 255)]],
  ['advert_int', ['advertIntervalMs', seconds(true)]],
  ['preempt_delay', ['preemptDelayMs', seconds(true)]],
  ['garp_master_delay', ['garpMasterDelayMs', seconds(false)]],
  ['garp_master_repeat', ['garpMasterRepeat', intIn(1, 255)]],
  ['garp_master_refresh', ['garpMasterRefreshMs', seconds(false)]],
  ['garp_master_refresh_repeat', ['garpMasterRefreshRepeat', intIn(1, 255)]],
]);

export function importInstance(
  ctx: Ctx,
  st: KeepalivedStatement,
  node: string,
  defaultVersion: 2 | 3 | undefined,
  interfaces: string[],
): Instance {
  const name = st.args[0] ?? '';
  const context = `vrrp_instance ${name}`;
  const inst: Record<string, unknown> = { name };
  const member: Record<string, unknown> = { node, priority: 100, initialState: 'backup' };
  let version = defaultVersion;
  let nativeIpv6 = false;
  const useIf = (i: string) => interfaces.includes(i) || interfaces.push(i);
  for (const s of st.block ?? []) {
    if (readPlain(INSTANCE_KEYWORDS, ctx, s, inst)) continue;
    switch (s.keyword) {
      case 'state': {
        const v = s.args[0]?.toUpperCase();
        if (v === 'MASTER' || v === 'BACKUP') member.initialState = v.toLowerCase();
        else
          ctx.errors.push({
            ...at(s),
            message: `state must be MASTER or BACKUP, got ${JSON.stringify(s.args[0] ?? '')}`,
          });
        break;
      }
      case 'interface':
        inst.interface = s.args[0];
        if (s.args[0]) useIf(s.args[0]);
        break;
      case 'priority':
        member.priority = int(ctx, s, 1, 255);
        break;
      case 'version': {
        const v = int(ctx, s, 2, 3);
        if (v === 2 || v === 3) version = v;
        break;
      }
      case 'native_ipv6':
        nativeIpv6 = true;
        break;
      case 'nopreempt':
        inst.preempt = false;
        break;
      case 'preempt':
        inst.preempt = true;
        break;
      case 'authentication': {
        let type: string | undefined;
        let pass: string | undefined;
        for (const a of s.block ?? []) {
          if (a.keyword === 'auth_type') type = a.args[0];
          else if (a.keyword === 'auth_pass') pass = a.args[0];
          else unsupported(ctx, a, `${context} authentication`);
        }
        if (type?.toUpperCase() === 'PASS' && pass !== undefined) {
          // keepalived truncates the password to the 8 bytes of the v2 auth field.
          if (pass.length > 8)
            ctx.notes.push(
              `${s.file}:${s.line}: auth_pass is longer than 8 characters; keepalived uses the first 8, and so does the import`,
            );
          inst.authentication = { type: 'pass', password: pass.slice(0, 8) };
        } else if (type?.toUpperCase() === 'AH') {
          ctx.unsupported.push({ keyword: 'auth_type AH', ...at(s), context });
        } else {
          ctx.errors.push({ ...at(s), message: 'authentication needs auth_type PASS and auth_pass' });
        }
        break;
      }
      case 'auth_hmac': {
        const authHmac = importAuthHmac(ctx, s, context);
        if (authHmac) inst.authHmac = authHmac;
        break;
      }
      case 'unicast_src_ip':
        member.unicastSrcIp = s.args[0];
        break;
      case 'unicast_peer':
        member.unicastPeers = (s.block ?? []).map((p) => {
          if (p.args.length > 0)
            ctx.unsupported.push({ keyword: p.args[0] ?? '', ...at(p), context: `${context} unicast_peer` });
          return p.keyword;
        });
        break;
      case 'virtual_ipaddress':
        inst.vips = (s.block ?? []).map((v) => {
          const [address, prefix] = v.keyword.split('/');
          const vip: Record<string, unknown> = { address };
          if (prefix !== undefined) vip.prefix = /^\d+$/.test(prefix) ? Number(prefix) : prefix;
          for (let i = 0; i < v.args.length; i += 2) {
            if (v.args[i] === 'dev' && v.args[i + 1] !== undefined) {
              vip.dev = v.args[i + 1];
              useIf(v.args[i + 1] ?? '');
            } else {
              ctx.unsupported.push({ keyword: v.args[i] ?? '', ...at(v), context: `${context} virtual_ipaddress` });
            }
          }
          return vip;
        });
        break;
      case 'track_interface':
        inst.trackInterfaces = tracks(ctx, s, context).map((t) => {
          useIf(t.name);
          return t.weight === undefined ? { interface: t.name } : { interface: t.name, weight: t.weight };
        });
        break;
      case 'track_script':
        inst.trackChecks = tracks(ctx, s, context).map((t) =>
          t.weight === undefined ? { check: t.name } : { check: t.name, weight: t.weight },
        );
        break;
      default:
        unsupported(ctx, s, context);
    }
  }
  if (version !== undefined) inst.version = version;
  const vips = (inst.vips as { address?: string }[] | undefined) ?? [];
  // keepalived takes the family from the first VIP (native_ipv6 forces IPv6).
  if (nativeIpv6 || addressFamily(vips[0]?.address ?? '') === 6) inst.family = 6;
  inst.members = [member];
  return inst as Instance;
}
