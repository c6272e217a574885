/**
 * keepalived.conf → one node's agent configuration (DESIGN.md: router_id → node name). Every
 * keyword the agent cannot honour is reported by name, file and line — never silently dropped —
 * so an admin sees exactly what the adoption loses. The table of what is honoured is
 * {@link SUPPORTED_KEEPALIVED_KEYWORDS}; the README prints it.
 */
import { AgentConfigSchema, type AgentConfig, type AgentConfigInput } from '../spec/agent-config.js';
import type { ClusterSpecInput } from '../spec/cluster.js';
import { formatZodIssues } from '../spec/format-error.js';
import { importNginxConfig } from '../nginx/import.js';
import { parseKeepalived, type IncludeReader } from './parse.js';
import { at, int, unsupported, type Ctx } from './import-values.js';
import { importInstance, importScript, type Check, type Instance } from './import-blocks.js';

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
    auth_hmac: 'authHmac (key N hex:…, active_key, anti_replay, time_window, mode)',
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

/** An import's outcome: what it made (`ok`) or its errors; `unsupported` and `notes` are filled either way. */
export type ImportOutcome<T> = (({ ok: true } & T) | { ok: false; errors: ImportIssue[] }) & {
  unsupported: UnsupportedKeyword[];
  notes: string[];
};

/** The import result. */
export type ImportKeepalivedResult = ImportOutcome<{ config: AgentConfig }>;

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
