/**
 * Import from and export to keepalived: keepalived.conf of each host (+ the nginx config) → a
 * previewed cluster spec with every unsupported keyword named; a cluster → the keepalived.conf and
 * nginx config of each node, which real keepalived and nginx accept and which import back.
 * Both are pure over the shared package's importer and renderers; creating the cluster from a
 * preview is `clusters.import` (one transaction with its audit record).
 */
import {
  ClusterSpecSchema,
  formatZodIssues,
  importKeepalivedCluster,
  renderKeepalivedConfig,
  renderNginxConfig,
  type ImportIssue,
  type UnsupportedKeyword,
} from '@keepwatch/shared';
import { AppError } from '../errors';
import { loadClusterSpec } from './revisions';
import type { Db } from './types';

export type ImportFile = { file: string; text: string };

export type ImportPreview =
  | { ok: true; spec: ReturnType<typeof ClusterSpecSchema.parse>; unsupported: UnsupportedKeyword[]; notes: string[] }
  | { ok: false; errors: ImportIssue[]; unsupported: UnsupportedKeyword[]; notes: string[] };

/** Parses and merges the files; never throws on bad input (the errors name file and line). */
export function previewImport(input: {
  clusterName: string;
  keepalived: ImportFile[];
  nginx?: ImportFile | undefined;
}): ImportPreview {
  // Includes cannot be followed in a paste: each `include` is reported by the parser.
  return importKeepalivedCluster({
    clusterName: input.clusterName,
    keepalived: input.keepalived,
    ...(input.nginx ? { nginx: input.nginx } : {}),
  });
}

export type ClusterExport = {
  cluster: string;
  nodes: { node: string; keepalived: string; nginx: string; omitted: { path: string; reason: string }[] }[];
};

/** The cluster as it is configured now, as keepalived.conf and nginx config per node. */
export async function exportCluster(db: Db, clusterId: string): Promise<ClusterExport> {
  const r = ClusterSpecSchema.safeParse(await loadClusterSpec(db, clusterId));
  if (!r.success)
    throw new AppError('BAD_REQUEST', {
      field: 'clusterId',
      message: `the cluster is not complete enough to export: ${formatZodIssues(r.error.issues).slice(0, 3).join('; ')}`,
    });
  const spec = r.data;
  return {
    cluster: spec.name,
    nodes: spec.nodes.map((n) => {
      const k = renderKeepalivedConfig(spec, n.name);
      return { node: n.name, keepalived: k.text, nginx: renderNginxConfig(spec, n.name), omitted: k.omitted };
    }),
  };
}
