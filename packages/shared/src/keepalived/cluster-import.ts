/**
 * keepalived.conf files of several hosts (one per node, as they sit on each LB) → one cluster
 * spec: each file is imported as its node ({@link importKeepalivedConfig}), then the nodes are
 * merged. A VRRP instance or a check that appears on several hosts must be configured alike there
 * except for what is per node (the member: priority, state, unicast source and peers); a
 * difference is an error naming the instance, the field and both files.
 */
import { formatZodIssues } from '../spec/format-error.js';
import { ClusterSpecSchema, type ClusterSpec, type ClusterSpecInput } from '../spec/cluster.js';
import {
  importKeepalivedConfig,
  type ImportIssue,
  type ImportKeepalivedInput,
  type ImportOutcome,
  type UnsupportedKeyword,
} from './import.js';

/** As for one node, with the nginx config shared by the nodes. */
export type ImportKeepalivedClusterInput = Omit<ImportKeepalivedInput, 'keepalived'> & {
  /** One keepalived.conf per node (router_id names the node). */
  keepalived: ImportKeepalivedInput['keepalived'][];
};

export type ImportKeepalivedClusterResult = ImportOutcome<{ spec: ClusterSpec }>;

type Instance = ClusterSpec['vrrpInstances'][number];

/** The fields of two values that differ, as dotted paths (JSON values). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return [path || '(value)'];
}

/**
 * Imports the keepalived.conf of every node of a cluster (and its nginx config) as one spec.
 *
 * @returns the validated spec with every unsupported keyword (file, line, block) and the notes,
 *   or the errors. Never throws on bad input.
 */
export function importKeepalivedCluster(input: ImportKeepalivedClusterInput): ImportKeepalivedClusterResult {
  const errors: ImportIssue[] = [];
  const unsupported: UnsupportedKeyword[] = [];
  const notes: string[] = [];
  if (input.keepalived.length === 0) errors.push({ message: 'give at least one keepalived.conf' });
  const nodes: ClusterSpec['nodes'] = [];
  const instances = new Map<string, { inst: Instance; file: string }>();
  const checks = new Map<string, { check: ClusterSpec['checks'][number]; file: string }>();
  const nodeFile = new Map<string, string>();
  let pools: ClusterSpec['pools'] = [];
  let virtualServers: ClusterSpec['virtualServers'] = [];
  input.keepalived.forEach((file, i) => {
    // The nginx config is shared: imported once, with the first host.
    const r = importKeepalivedConfig({
      keepalived: file,
      ...(i === 0 && input.nginx ? { nginx: input.nginx } : {}),
      ...(input.readInclude ? { readInclude: input.readInclude } : {}),
    });
    unsupported.push(...r.unsupported);
    notes.push(...r.notes);
    if (!r.ok) {
      errors.push(...r.errors.map((e) => ({ ...e, file: e.file ?? file.file })));
      return;
    }
    const spec = r.config.spec;
    if (!spec) return; // an import always carries its spec (the standalone form)
    // script_user is the host's business (the agent's config), not the cluster's: a dashboard
    // import cannot carry it, so it says so instead of dropping it (issue #15 finding 7).
    if (r.config.scriptUser !== undefined)
      notes.push(
        `${file.file}: global_defs script_user ${r.config.scriptUser} is not part of the cluster: set "scriptUser": "${r.config.scriptUser}" in that host's agent config (/etc/keepwatch/agent.json); without it, under the default script policy, scripts run as keepwatch-script and never as root`,
      );
    if (i === 0) {
      pools = spec.pools;
      virtualServers = spec.virtualServers;
    }
    for (const n of spec.nodes) {
      const other = nodeFile.get(n.name);
      if (other !== undefined) {
        errors.push({
          file: file.file,
          message: `router_id ${n.name} is also the router_id of ${other}: each host needs its own`,
        });
        continue;
      }
      nodeFile.set(n.name, file.file);
      nodes.push(n);
    }
    for (const inst of spec.vrrpInstances) {
      const seen = instances.get(inst.name);
      if (!seen) {
        instances.set(inst.name, { inst: structuredClone(inst), file: file.file });
        continue;
      }
      const { members: _a, ...mine } = inst;
      const { members: _b, ...theirs } = seen.inst;
      const diff = differences(theirs, mine);
      if (diff.length > 0)
        errors.push({
          file: file.file,
          message: `vrrp_instance ${inst.name} differs from ${seen.file} in ${diff.join(', ')}: an instance must be configured alike on every host (only priority, state and unicast addresses are per host)`,
        });
      else seen.inst.members.push(...inst.members);
    }
    for (const c of spec.checks) {
      const seen = checks.get(c.name);
      if (!seen) checks.set(c.name, { check: c, file: file.file });
      else {
        const diff = differences(seen.check, c);
        if (diff.length > 0)
          errors.push({
            file: file.file,
            message: `vrrp_script ${c.name} differs from ${seen.file} in ${diff.join(', ')}`,
          });
      }
    }
  });
  if (errors.length > 0) return { ok: false, errors, unsupported, notes };
  const spec: ClusterSpecInput = {
    name: input.clusterName ?? 'imported',
    nodes,
    vrrpInstances: [...instances.values()].map((v) => v.inst),
    checks: [...checks.values()].map((v) => v.check),
    pools,
    virtualServers,
  };
  const r = ClusterSpecSchema.safeParse(spec);
  if (!r.success)
    return { ok: false, errors: formatZodIssues(r.error.issues).map((message) => ({ message })), unsupported, notes };
  return { ok: true, spec: r.data, unsupported, notes };
}
