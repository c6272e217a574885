import { renderNginxConfig, renderNginxMainContext, type ClusterSpec, type HandEditReplaced } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import type { NginxApplier } from './apply.js';

/**
 * How applying a spec's nginx part went; a failure carries what the apply-result reports, a
 * success the hand edit it overwrote, if any.
 */
export type NginxOutcome =
  | { ok: true; replaced?: HandEditReplaced }
  | { ok: false; stage: 'render' | 'test' | 'reload' | 'verify'; message: string; output: string };

/**
 * The one nginx apply path (at start and for each pushed revision): render this node's config →
 * NginxApplier (write, `nginx -t`, reload, verify, roll back) → metrics and log. A VRRP-only spec
 * (adopting the agent next to a hand-managed nginx) leaves nginx alone. Never throws: nginx
 * trouble never stops VRRP.
 */
export async function applyNginxSpec(
  applier: NginxApplier,
  spec: ClusterSpec,
  node: string,
  metrics: AgentMetrics,
  log: Logger,
): Promise<NginxOutcome> {
  if (spec.pools.length === 0 && spec.virtualServers.length === 0) return { ok: true };
  let rendered: string;
  let mainContext: string;
  try {
    rendered = renderNginxConfig(spec, node);
    mainContext = renderNginxMainContext(spec);
  } catch (e) {
    log.error({ err: e }, 'nginx config not rendered');
    return { ok: false, stage: 'render', message: (e as Error).message, output: '' };
  }
  try {
    const r = await applier.apply(rendered, mainContext);
    metrics.nginxReloads.inc({ result: r.status });
    if (r.status === 'applied' && r.replaced) {
      log.warn(
        { onDiskSha256: r.replaced.onDiskSha256 },
        'nginx config: a hand edit of the rendered file was replaced',
      );
      return { ok: true, replaced: r.replaced };
    }
    if (r.status !== 'failed') {
      log.info({ status: r.status }, 'nginx config');
      return { ok: true };
    }
    log.error({ stage: r.stage, output: r.output, rolledBack: r.rolledBack }, 'nginx config not applied');
    const what = r.stage === 'test' ? '-t' : r.stage;
    return {
      ok: false,
      stage: r.stage,
      message: `nginx ${what} failed${r.rolledBack ? '; the last good config was restored' : ''}`,
      output: r.output,
    };
  } catch (e) {
    metrics.nginxReloads.inc({ result: 'failed' });
    log.error({ err: e }, 'nginx config not applied');
    return { ok: false, stage: 'reload', message: (e as Error).message, output: '' };
  }
}
