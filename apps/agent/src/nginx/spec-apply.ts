import {
  missingCertificates,
  renderNginxConfig,
  renderNginxMainContext,
  type ClusterSpec,
  type HandEditReplaced,
  type TlsMaterial,
} from '@keepwatch/shared';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import type { NginxApplier } from './apply.js';
import type { StagedTls, TlsFiles } from './tls-files.js';
import { bothStaged, stageAuth, type AuthFiles } from './auth-files.js';

/** What an apply uses of the agent's modules. */
export type NginxApplyDeps = {
  nginx: NginxApplier;
  /** Where pushed certificates are written (`<stateDir>/tls`). */
  tlsFiles: TlsFiles;
  /** Where basic-auth htpasswd files are written (`<stateDir>/nginx-auth`; nginx/auth-files.ts). */
  authFiles?: AuthFiles;
  /** `nginx -V` (nginx/build-info.ts): the version to render for; absent = the 1.22 rules. */
  nginxBuild: { load(): Promise<unknown>; readonly current: { version: string } | null };
  cfg: { node: string };
  metrics: AgentMetrics;
  log: Logger;
};

/**
 * How applying a spec's nginx part went; a failure carries what the apply-result reports, a
 * success the hand edit it overwrote, if any.
 */
export type NginxOutcome =
  | { ok: true; replaced?: HandEditReplaced }
  | { ok: false; stage: 'validate' | 'render' | 'test' | 'reload' | 'verify'; message: string; output: string };

/**
 * The one nginx apply path (at start and for each pushed revision): render this node's config →
 * NginxApplier (write, `nginx -t`, reload, verify, roll back) → metrics and log. A VRRP-only spec
 * (adopting the agent next to a hand-managed nginx) leaves nginx alone. With `tls`, the pushed
 * certificates are written first and restored with the config when the apply fails (a key that
 * does not match fails `nginx -t`: the old files keep serving), and files of certificates no
 * longer pushed go after a success. Never throws: nginx trouble never stops VRRP.
 */
export async function applyNginxSpec(
  m: NginxApplyDeps,
  spec: ClusterSpec,
  /** The push's `tls` (absent: none was pushed, e.g. a standalone spec). */
  material?: TlsMaterial,
): Promise<NginxOutcome> {
  if (spec.pools.length === 0 && spec.virtualServers.length === 0) return { ok: true };
  const { nginx: applier, tlsFiles: files, metrics, log } = m;
  const missing = missingCertificates(spec, material);
  if (missing.length > 0) {
    const message = `certificate ${missing.map((n) => `"${n}"`).join(', ')} not pushed with the revision`;
    return { ok: false, stage: 'validate', message, output: '' };
  }
  let rendered: string;
  let mainContext: string;
  try {
    await m.nginxBuild.load(); // once (and again until it succeeds: nginx installed later)
    const nginxVersion = m.nginxBuild.current?.version;
    rendered = renderNginxConfig(spec, m.cfg.node, {
      tlsDir: files.dir,
      ...(material?.acmeThumbprint ? { acmeThumbprint: material.acmeThumbprint } : {}),
      ...(nginxVersion ? { nginxVersion } : {}),
      ...(m.authFiles ? { authDir: m.authFiles.dir } : {}),
    });
    mainContext = renderNginxMainContext(spec);
  } catch (e) {
    log.error({ err: e }, 'nginx config not rendered');
    return { ok: false, stage: 'render', message: (e as Error).message, output: '' };
  }
  let staged: StagedTls | undefined;
  try {
    staged = files.stage(material?.certificates ?? []);
  } catch (e) {
    log.error({ err: e }, 'certificate files not written');
    return {
      ok: false,
      stage: 'render',
      message: `certificate files not written: ${(e as Error).message}`,
      output: '',
    };
  }
  if (m.authFiles) {
    try {
      staged = bothStaged(staged, stageAuth(m.authFiles, spec, log));
    } catch (e) {
      staged?.restore();
      log.error({ err: e }, 'htpasswd files not written');
      return { ok: false, stage: 'render', message: `htpasswd files not written: ${(e as Error).message}`, output: '' };
    }
  }
  try {
    const r = await applier.apply(rendered, mainContext, staged);
    if (r.status !== 'failed') {
      const removed = files.prune(material?.certificates.map((c) => c.name) ?? []);
      if (removed.length) log.info({ removed }, 'certificate files no longer used removed');
      const gone = m.authFiles?.prune(spec) ?? [];
      if (gone.length) log.info({ removed: gone }, 'htpasswd files no longer used removed');
    }
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
    staged?.restore();
    metrics.nginxReloads.inc({ result: 'failed' });
    log.error({ err: e }, 'nginx config not applied');
    return { ok: false, stage: 'reload', message: (e as Error).message, output: '' };
  }
}
