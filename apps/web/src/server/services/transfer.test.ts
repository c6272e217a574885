import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { referenceSpec } from '../../../test/fixtures';

describe('import from and export to keepalived', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
  }, referenceSpec('exported'));

  it("exports every node's keepalived.conf and nginx config, naming what keepalived cannot express", async () => {
    const out = await api.admin.transfer.export({ clusterId });
    expect(out.nodes.map((n) => n.node)).toEqual(['LVS_1', 'LVS_2']);
    expect(out.nodes[0]?.keepalived).toMatch(/virtual_router_id 51/);
    expect(out.nodes[0]?.keepalived).toMatch(/priority 100/);
    expect(out.nodes[1]?.keepalived).toMatch(/priority 80/);
    expect(out.nodes[0]?.nginx).toMatch(/upstream webs/);
    // The built-in nginx supervision has no keepalived equivalent: it is listed, not dropped silently.
    expect(out.nodes[0]?.omitted.map((o) => o.path).join(' ')).toMatch(/check/);
  });

  it('previews the export back as the same instances, pools and virtual servers', async () => {
    const out = await api.admin.transfer.export({ clusterId });
    const preview = await api.admin.transfer.previewImport({
      clusterName: 'again',
      keepalived: out.nodes.map((n) => ({ file: `${n.node}.conf`, text: n.keepalived })),
      nginx: { file: 'keepwatch.conf', text: out.nodes[0]!.nginx },
    });
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    const original = ClusterSpecSchema.parse(referenceSpec('again'));
    expect(preview.spec.vrrpInstances.map(({ trackChecks: _t, ...i }) => i)).toEqual(
      original.vrrpInstances.map(({ trackChecks: _t, ...i }) => i),
    );
    expect(preview.spec.pools).toEqual(original.pools);
    expect(preview.spec.virtualServers).toEqual(original.virtualServers);
    // …and the preview creates the cluster through clusters.import.
    const created = await api.admin.clusters.import({ spec: preview.spec });
    expect((await api.viewer.clusters.get({ id: created.id })).name).toBe('again');
  });

  it('names every unsupported keyword with its file and line', async () => {
    const out = await api.admin.transfer.export({ clusterId });
    const text = out.nodes[0]!.keepalived.replace(
      /(vrrp_instance VI_1 \{\n)/,
      '$1    lvs_sync_daemon_interface eth0\n',
    );
    const preview = await api.admin.transfer.previewImport({
      clusterName: 'x',
      keepalived: [{ file: 'lb1.conf', text }],
    });
    const line = text.split('\n').findIndex((l) => l.includes('lvs_sync_daemon_interface')) + 1;
    expect(preview.unsupported).toContainEqual(
      expect.objectContaining({ keyword: 'lvs_sync_daemon_interface', file: 'lb1.conf', line }),
    );
  });

  it('reports a broken file with its line instead of creating anything', async () => {
    const preview = await api.admin.transfer.previewImport({
      clusterName: 'x',
      keepalived: [{ file: 'bad.conf', text: 'vrrp_instance VI_1 {\n  virtual_router_id 999\n' }],
    });
    expect(preview.ok).toBe(false);
    if (!preview.ok) expect(preview.errors.some((e) => e.file === 'bad.conf')).toBe(true);
  });

  it('refuses a file name that is a path, naming the field', async () => {
    const e = await trpcError(
      api.admin.transfer.previewImport({ clusterName: 'x', keepalived: [{ file: '../etc/passwd', text: 'x' }] }),
    );
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/keepalived\.0\.file/);
  });

  it('is for admins: an operator is refused', async () => {
    expect((await trpcError(api.operator.transfer.export({ clusterId }))).code).toBe('FORBIDDEN');
  });
});
