import { startBackend } from './backend.js';
import type { Lab } from './lab.js';
import { LabNginx } from './nginx.js';
import { referenceNginxSite } from './reference-keepalived.js';

/**
 * The reference deployment's web tier in the lab: the pool's two backends (web1, web2) and nginx
 * started on both LBs with `site(lb)` (default: the reference `lb.conf`). What every lab that
 * runs a VRRP daemon beside nginx starts first.
 */
export async function startReferenceWebTier(
  lab: Lab,
  site: (lb: 'lb1' | 'lb2') => string = () => referenceNginxSite(),
): Promise<Record<'lb1' | 'lb2', LabNginx>> {
  await startBackend(lab, 'web1', 'web1');
  await startBackend(lab, 'web2', 'web2');
  const nginx = { lb1: new LabNginx(lab, 'lb1'), lb2: new LabNginx(lab, 'lb2') };
  for (const lb of ['lb1', 'lb2'] as const) {
    nginx[lb].configure(site(lb));
    await nginx[lb].start();
  }
  return nginx;
}
