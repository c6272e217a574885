/**
 * A node's agent release beside the dashboard's: during a rolling upgrade an agent one release
 * older (or newer) keeps working, and this says which agents are not on the dashboard's release.
 */
import type { RouterOutputs } from '~/trpc/client';
import { Badge, mutedClass } from './ui';

type Node = Pick<RouterOutputs['nodes']['all'][number], 'agentVersion' | 'agentSkew' | 'dashboardVersion'>;

export function AgentVersion({ n }: { n: Node }) {
  if (n.agentVersion === null) return <span className={mutedClass}>—</span>;
  const skew =
    n.agentSkew === 'older'
      ? { label: 'outdated', title: `older than the dashboard (${n.dashboardVersion}): upgrade this agent` }
      : n.agentSkew === 'newer'
        ? { label: 'newer', title: `newer than the dashboard (${n.dashboardVersion}): upgrade the dashboard` }
        : null;
  return (
    <span className="font-mono text-xs" data-testid="agent-version">
      {n.agentVersion}
      {skew && (
        <span className="ml-1 font-sans">
          <Badge tone="warn" title={skew.title}>
            {skew.label}
          </Badge>
          <span className="sr-only"> ({skew.title})</span>
        </span>
      )}
    </span>
  );
}
