/**
 * Version skew between an agent and this dashboard (issue 14 item 3): during a rolling upgrade an
 * agent one release older (or newer) keeps working — the protocol version, not the release, is
 * what the hub checks — and the Nodes page shows which agents differ. Pure.
 */

/** This dashboard's release; the hub also tells it to agents in `welcome`. */
export const DASHBOARD_VERSION = '0.2.0';

export type VersionSkew = 'same' | 'older' | 'newer' | 'unknown';

const RELEASE = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/;

/** How the agent's release compares with the dashboard's; `unknown` when either is not `x.y.z`. */
export function versionSkew(agent: string | null, dashboard = DASHBOARD_VERSION): VersionSkew {
  const a = agent === null ? null : RELEASE.exec(agent);
  const d = RELEASE.exec(dashboard);
  if (!a || !d) return 'unknown';
  for (let i = 1; i <= 3; i++) {
    const diff = Number(a[i]) - Number(d[i]);
    if (diff !== 0) return diff < 0 ? 'older' : 'newer';
  }
  return 'same';
}
