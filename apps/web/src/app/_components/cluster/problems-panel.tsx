'use client';
/**
 * The cluster's problems, from the same rules as the overview (src/lib/problems.ts) over the same
 * read (`clusters.overview` for this cluster), re-aged every second on the dashboard's clock.
 */
import { instanceViews, overviewProblems, type InstanceView } from '~/lib/problems';
import { ProblemList, useDashboardNow } from '../problem-list';
import { useClusterOverview } from './scope';

export function ProblemsPanel() {
  const overview = useClusterOverview();
  const now = useDashboardNow(overview);
  const cluster = overview.data?.clusters[0];
  const problems = cluster ? overviewProblems(cluster, now) : [];
  if (problems.length === 0) return null;
  return (
    <section aria-labelledby="problems" className="rounded-lg border border-amber-300 p-3 dark:border-amber-800">
      <h2 id="problems" className="mb-2 font-semibold">
        Needs attention ({problems.length})
      </h2>
      <ProblemList problems={problems} label="Problems in this cluster" />
    </section>
  );
}

/**
 * Who holds each instance now by the problem rules (online masters, superseded claims set aside),
 * by instance name, with the dashboard-clock `now` they were judged at.
 */
export function useLiveViews(): { views: Map<string, InstanceView>; now: number } {
  const overview = useClusterOverview();
  const now = useDashboardNow(overview);
  const cluster = overview.data?.clusters[0];
  return { views: new Map((cluster ? instanceViews(cluster, now) : []).map((v) => [v.instance.name, v])), now };
}
