/**
 * Reverting a cluster to an earlier revision, as pure decisions: which rows differ between the
 * cluster now and that revision's spec (by name, so unchanged rows keep their ids and versions),
 * and the diff an admin reviews first. The shell (rollout-control.ts) writes the rows and records a
 * new revision, which must then carry exactly the old revision's content.
 */
import type { ClusterSpec } from '@keepwatch/shared';
import { canonicalJson } from './canonical-json';
import { textDiff, type TextDiff } from './text-diff';

/** Rows of one config area to write (added or replaced) and to delete, by name. */
export interface AreaPlan<T> {
  put: T[];
  remove: string[];
}

export interface RevertPlan {
  /** The cluster's name when the revision had another one. */
  rename: string | null;
  /** Nodes whose addresses or interfaces differ (nodes themselves are neither added nor removed). */
  nodes: ClusterSpec['nodes'];
  checks: AreaPlan<ClusterSpec['checks'][number]>;
  pools: AreaPlan<ClusterSpec['pools'][number]>;
  vrrpInstances: AreaPlan<ClusterSpec['vrrpInstances'][number]>;
  virtualServers: AreaPlan<ClusterSpec['virtualServers'][number]>;
}

export type RevertDecision = { ok: true; plan: RevertPlan } | { ok: false; message: string };

function area<T extends { name: string }>(now: readonly T[], then: readonly T[]): AreaPlan<T> {
  const byName = new Map(now.map((o) => [o.name, canonicalJson(o)]));
  const keep = new Set(then.map((o) => o.name));
  return {
    put: then.filter((o) => byName.get(o.name) !== canonicalJson(o)),
    remove: now.filter((o) => !keep.has(o.name)).map((o) => o.name),
  };
}

/**
 * What turns the cluster's spec `now` into revision `number`'s spec `then`. Refused when the set
 * of nodes differs: a node is an enrolled agent with its credential, which a revert must neither
 * revoke nor recreate.
 */
export function planRevert(now: ClusterSpec, then: ClusterSpec, number: number): RevertDecision {
  const nowNodes = new Set(now.nodes.map((n) => n.name));
  const thenNodes = new Set(then.nodes.map((n) => n.name));
  const gone = [...thenNodes].filter((n) => !nowNodes.has(n));
  const added = [...nowNodes].filter((n) => !thenNodes.has(n));
  if (gone.length > 0 || added.length > 0) {
    const parts = [
      gone.length > 0 ? `it has node${gone.length > 1 ? 's' : ''} ${quoted(gone)}, no longer in the cluster` : '',
      added.length > 0 ? `node${added.length > 1 ? 's' : ''} ${quoted(added)} joined after it` : '',
    ].filter(Boolean);
    return {
      ok: false,
      message: `revision ${number} cannot be restored: ${parts.join('; ')} (a revert keeps the cluster's nodes; add or remove them first)`,
    };
  }
  const nodeNow = new Map(now.nodes.map((n) => [n.name, canonicalJson(n)]));
  return {
    ok: true,
    plan: {
      rename: now.name === then.name ? null : then.name,
      nodes: then.nodes.filter((n) => nodeNow.get(n.name) !== canonicalJson(n)),
      checks: area(now.checks, then.checks),
      pools: area(now.pools, then.pools),
      vrrpInstances: area(now.vrrpInstances, then.vrrpInstances),
      virtualServers: area(now.virtualServers, then.virtualServers),
    },
  };
}

function quoted(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** Same content: the stored revisions' hashes are of canonicalJson of the spec. */
export function sameContent(a: ClusterSpec, b: ClusterSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Unified diff of the specs as indented JSON, old → new (empty when they are the same), with line counts. */
export type SpecDiff = TextDiff;

/** The change from spec `from` to spec `to`, for a person to read (keys in canonical order). */
export function specDiff(from: ClusterSpec, fromLabel: string, to: ClusterSpec, toLabel: string): SpecDiff {
  const text = (s: ClusterSpec) => `${JSON.stringify(JSON.parse(canonicalJson(s)), null, 2)}\n`;
  return textDiff(text(from), fromLabel, text(to), toLabel);
}
