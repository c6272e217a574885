/**
 * keepalived.conf → one node's agent configuration (DESIGN.md: router_id → node name). Every
 * keyword the agent cannot honour is reported by name, file and line — never silently dropped —
 * so an admin sees exactly what the adoption loses. The table of what is honoured is
 * {@link SUPPORTED_KEEPALIVED_KEYWORDS}; the README prints it.
 */
import { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from '../spec/agent-config.js';
import type { ClusterSpecInput } from '../spec/cluster.js';
import { formatZodIssues } from '../spec/format-error.js';
import { ArgvSchema, addressFamily } from '../spec/grammar.js';
import { importNginxConfig } from '../nginx/import.js';
import { parseKeepalived, splitScriptCommand, type IncludeReader, type KeepalivedStatement } from './parse.js';

/** Keywords the importer honours, by block, with their spec field. */
export const SUPPORTED_KEEPALIVED_KEYWORDS = {
  global_defs: {
    router_id: 'node name (AgentConfig.node, spec.nodes[].name)',
    enable_script_security: 'always on in the agent (scripts run as argv, never as root unless configured)',
    script_user: 'AgentConfig.scriptUser',
    vrrp_version: 'default VrrpInstance.version',
  },
  vrrp_script: {
    script: 'command.argv (or command.shell when the program is not an absolute path)',
    interval: 'intervalMs',
    timeout: 'timeoutMs',
    weight: 'weight',
    fall: 'fall',
    rise: 'rise',
    init_fail: 'initFail',
    user: 'user',
  },
  vrrp_instance: {
    state: 'members[].initialState',
    interface: 'interface',
    virtual_router_id: 'vrid',
    priority: 'members[].priority',
    advert_int: 'advertIntervalMs',
    version: 'version',
    native_ipv6: 'family 6',
    nopreempt: 'preempt: false',
    preempt: 'preempt: true',
    preempt_delay: 'preemptDelayMs',
    authentication: 'authentication (auth_type PASS, auth_pass)',
    unicast_src_ip: 'members[].unicastSrcIp',
    unicast_peer: 'members[].unicastPeers',
    virtual_ipaddress: 'vips (ADDRESS[/PREFIX] [dev IFACE])',
    track_interface: 'trackInterfaces (IFACE [weight N])',
    track_script: 'trackChecks (NAME [weight N])',
    garp_master_delay: 'garpMasterDelayMs',
    garp_master_repeat: 'garpMasterRepeat',
    garp_master_refresh: 'garpMasterRefreshMs',
    garp_master_refresh_repeat: 'garpMasterRefreshRepeat',
  },
} as const;

/** A keyword the importer does not honour, and where it was written. */
export type UnsupportedKeyword = {
  keyword: string;
  file: string;
  line: number;
  /** The enclosing block, e.g. `vrrp_instance VI_1`; empty at top level. */
  context: string;
};

/** A problem that stops the import, with its place when it has one. */
export type ImportIssue = { file?: string; line?: number; message: string };

/** Input files for {@link importKeepalivedConfig}. */
export type ImportKeepalivedInput = {
  keepalived: { text: string; file: string };
  /** An nginx http-level config with upstreams and `proxy_pass` servers (like the reference `lb.conf`). */
  nginx?: { text: string; file: string };
  /** Resolves keepalived `include`s. */
  readInclude?: IncludeReader;
  /** The spec's cluster name; default `imported`. */
  clusterName?: string;
};

/** The import result. `unsupported` and `notes` are filled either way. */
export type ImportKeepalivedResult =
  | { ok: true; config: AgentConfig; unsupported: UnsupportedKeyword[]; notes: string[] }
  | { ok: false; errors: ImportIssue[]; unsupported: UnsupportedKeyword[]; notes: string[] };

type Ctx = {
  unsupported: UnsupportedKeyword[];
  errors: ImportIssue[];
  notes: string[];
};

const at = (st: KeepalivedStatement) => ({ file: st.file, line: st.line });

function unsupported(ctx: Ctx, st: KeepalivedStatement, context: string): void {
  ctx.unsupported.push({ keyword: st.keyword, ...at(st), context });
}

function int(ctx: Ctx, st: KeepalivedStatement, min: number, max: number): number | undefined {
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
function secondsMs(ctx: Ctx, st: KeepalivedStatement, decimals: boolean): number | undefined {
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
function tracks(ctx: Ctx, st: KeepalivedStatement, context: string): { name: string; weight?: number }[] {
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

type Check = NonNullable<ClusterSpecInput['checks']>[number];

function importScript(ctx: Ctx, st: KeepalivedStatement): Check | null {
  const name = st.args[0] ?? '';
  const context = `vrrp_script ${name}`;
  const check: Record<string, unknown> = { kind: 'script', name };
  for (const s of st.block ?? []) {
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
      case 'interval':
        check.intervalMs = secondsMs(ctx, s, false);
        break;
      case 'timeout':
        check.timeoutMs = secondsMs(ctx, s, false);
        break;
      case 'weight':
        check.weight = int(ctx, s, -254, 254);
        if (s.args.length > 1)
          ctx.unsupported.push({ keyword: `weight ${s.args.slice(1).join(' ')}`, ...at(s), context });
        break;
      case 'fall':
        check.fall = int(ctx, s, 1, 255);
        break;
      case 'rise':
        check.rise = int(ctx, s, 1, 255);
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

type Instance = NonNullable<ClusterSpecInput['vrrpInstances']>[number];

function importInstance(
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
      case 'virtual_router_id':
        inst.vrid = int(ctx, s, 1, 255);
        break;
      case 'priority':
        member.priority = int(ctx, s, 1, 255);
        break;
      case 'advert_int':
        inst.advertIntervalMs = secondsMs(ctx, s, true);
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
      case 'preempt_delay':
        inst.preemptDelayMs = secondsMs(ctx, s, true);
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
      case 'garp_master_delay':
        inst.garpMasterDelayMs = secondsMs(ctx, s, false);
        break;
      case 'garp_master_repeat':
        inst.garpMasterRepeat = int(ctx, s, 1, 255);
        break;
      case 'garp_master_refresh':
        inst.garpMasterRefreshMs = secondsMs(ctx, s, false);
        break;
      case 'garp_master_refresh_repeat':
        inst.garpMasterRefreshRepeat = int(ctx, s, 1, 255);
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

/**
 * Imports a keepalived.conf (and optionally an nginx upstream config) as one node's agent
 * configuration. The node is named by `router_id`; the spec holds that node alone.
 *
 * @param input - the files' texts and names, the include reader and the cluster name.
 * @returns the validated configuration with the unsupported keywords and notes, or the errors
 *   (syntax, values, and spec validation issues as `path: message`). Never throws on bad input.
 */
export function importKeepalivedConfig(input: ImportKeepalivedInput): ImportKeepalivedResult {
  const ctx: Ctx = { unsupported: [], errors: [], notes: [] };
  const parsed = parseKeepalived(input.keepalived.text, {
    file: input.keepalived.file,
    ...(input.readInclude ? { readInclude: input.readInclude } : {}),
  });
  const fail = (): ImportKeepalivedResult => ({
    ok: false,
    errors: ctx.errors,
    unsupported: ctx.unsupported,
    notes: ctx.notes,
  });
  for (const w of parsed.warnings) ctx.notes.push(`${w.file}:${w.line}: ${w.message}`);
  if (!parsed.ok) {
    ctx.errors.push(...parsed.errors);
    return fail();
  }
  let node: string | undefined;
  let scriptUser: string | undefined;
  let defaultVersion: 2 | 3 | undefined;
  for (const st of parsed.statements.filter((s) => s.keyword === 'global_defs')) {
    for (const g of st.block ?? []) {
      if (g.keyword === 'router_id') node = g.args[0];
      else if (g.keyword === 'enable_script_security') continue;
      else if (g.keyword === 'script_user') {
        scriptUser = g.args[0];
        if (g.args.length > 1) ctx.unsupported.push({ keyword: 'script_user group', ...at(g), context: 'global_defs' });
      } else if (g.keyword === 'vrrp_version') {
        const v = int(ctx, g, 2, 3);
        if (v === 2 || v === 3) defaultVersion = v;
      } else unsupported(ctx, g, 'global_defs');
    }
  }
  if (node === undefined) {
    ctx.errors.push({ file: input.keepalived.file, message: 'global_defs has no router_id: it names the node' });
    node = 'unnamed';
  }
  const interfaces: string[] = [];
  const checks: Check[] = [];
  const instances: Instance[] = [];
  for (const st of parsed.statements) {
    if (st.keyword === 'global_defs') continue;
    else if (st.keyword === 'vrrp_script') {
      const c = importScript(ctx, st);
      if (c) checks.push(c);
    } else if (st.keyword === 'vrrp_instance')
      instances.push(importInstance(ctx, st, node, defaultVersion, interfaces));
    else unsupported(ctx, st, '');
  }
  const addresses = [
    ...new Set(
      instances.flatMap((i) => i.members.map((m) => m.unicastSrcIp).filter((a): a is string => a !== undefined)),
    ),
  ];
  const spec: ClusterSpecInput = {
    name: input.clusterName ?? 'imported',
    nodes: [{ name: node, addresses, interfaces }],
    vrrpInstances: instances,
    checks,
  };
  if (input.nginx) {
    const ng = importNginxConfig(input.nginx.text, { file: input.nginx.file });
    ctx.unsupported.push(...ng.unsupported);
    ctx.notes.push(...ng.notes);
    if (!ng.ok) ctx.errors.push(...ng.errors);
    else {
      spec.pools = ng.pools;
      spec.virtualServers = ng.virtualServers;
    }
  }
  if (ctx.errors.length > 0) return fail();
  const config: AgentConfigInput = { node, spec, ...(scriptUser === undefined ? {} : { scriptUser }) };
  const r = AgentConfigSchema.safeParse(config);
  if (!r.success) {
    ctx.errors.push(...formatZodIssues(r.error.issues).map((message) => ({ message })));
    return fail();
  }
  return { ok: true, config: r.data, unsupported: ctx.unsupported, notes: ctx.notes };
}
