import { describe, expect, it } from 'vitest';
import { keepalivedTest } from '../../test/keepalived-t.js';
import { seedFixture } from '../../test/seed.js';
import { nginxTest } from '../../test/nginx-t.js';
import { renderNginxConfig } from '../nginx/render.js';
import { importKeepalivedCluster } from './cluster-import.js';
import { renderKeepalivedConfig } from './render.js';

const fixture = (name: 'keepalived-master.conf' | 'keepalived-backup.conf') => ({
  text: seedFixture(name),
  file: name,
});
const nginx = { text: seedFixture('lb.conf'), file: 'lb.conf' };

describe('importKeepalivedCluster', () => {
  it("imports the reference scenario's two hosts and lb.conf as one cluster with both members", () => {
    const r = importKeepalivedCluster({
      keepalived: [fixture('keepalived-master.conf'), fixture('keepalived-backup.conf')],
      nginx,
      clusterName: 'reference',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.nodes.map((n) => n.name).sort()).toHaveLength(2);
    const [vi] = r.spec.vrrpInstances;
    expect(vi?.vrid).toBe(51);
    expect(vi?.members.map((m) => m.priority).sort()).toEqual([100, 80].sort());
    expect(r.spec.pools).toHaveLength(1);
    expect(r.unsupported.map((u) => u.keyword)).toContain('lvs_sync_daemon_interface');
  });

  it('says where global_defs script_user went instead of dropping it (it belongs to the host, not the cluster)', () => {
    const m = fixture('keepalived-master.conf');
    const text = m.text.replace(/global_defs\s*\{/, 'global_defs {\n    script_user nagios');
    expect(text).toContain('script_user nagios');
    const r = importKeepalivedCluster({ keepalived: [{ ...m, text }] });
    expect(r.notes.join('\n')).toContain(
      'keepalived-master.conf: global_defs script_user nagios is not part of the cluster: set "scriptUser": "nagios" in that host\'s agent config',
    );
  });

  it('refuses two hosts with the same router_id, naming both files', () => {
    const m = fixture('keepalived-master.conf');
    const r = importKeepalivedCluster({ keepalived: [m, { ...m, file: 'copy.conf' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/is also the router_id of keepalived-master\.conf/);
  });

  it('refuses an instance configured differently on two hosts, naming the field', () => {
    const b = fixture('keepalived-backup.conf');
    const r = importKeepalivedCluster({
      keepalived: [fixture('keepalived-master.conf'), { ...b, text: b.text.replace(/advert_int\s+1/, 'advert_int 2') }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.message).join('\n')).toMatch(
        /vrrp_instance VI_1 differs from keepalived-master\.conf in advertIntervalMs/,
      );
  });

  it("reads back its own export: each node's rendered keepalived.conf imports to the same instances", () => {
    const r = importKeepalivedCluster({
      keepalived: [fixture('keepalived-master.conf'), fixture('keepalived-backup.conf')],
      nginx,
      clusterName: 'reference',
    });
    if (!r.ok) throw new Error('import failed');
    const files = r.spec.nodes.map((n) => ({
      text: renderKeepalivedConfig(r.spec, n.name).text,
      file: `${n.name}.conf`,
    }));
    const back = importKeepalivedCluster({ keepalived: files, nginx, clusterName: 'reference' });
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.spec.vrrpInstances).toEqual(r.spec.vrrpInstances);
      expect(back.spec.checks).toEqual(r.spec.checks);
    }
  });

  it('asks for at least one file', () => {
    expect(importKeepalivedCluster({ keepalived: [] })).toMatchObject({
      ok: false,
      errors: [{ message: 'give at least one keepalived.conf' }],
    });
  });

  it('exports the imported reference cluster to files real keepalived -t and nginx -t accept, which import back to the same cluster', () => {
    // keepalived -t refuses a script that does not exist here: the tutorial's lives in /etc/keepalived.
    const withScript = (f: { text: string; file: string }) => ({
      ...f,
      text: f.text.replace('/etc/keepalived/check_nginx.sh', '/usr/bin/true'),
    });
    const r = importKeepalivedCluster({
      keepalived: [withScript(fixture('keepalived-master.conf')), withScript(fixture('keepalived-backup.conf'))],
      nginx,
      clusterName: 'reference',
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const files = r.spec.nodes.map((n) => {
      const k = renderKeepalivedConfig(r.spec, n.name);
      const kt = keepalivedTest(k.text, n.interfaces);
      expect(kt.output).toBe('');
      expect(kt.ok).toBe(true);
      const nt = nginxTest(renderNginxConfig(r.spec, n.name));
      expect(nt.ok, nt.output).toBe(true);
      return { text: k.text, file: `${n.name}.conf` };
    });
    const rendered = { text: renderNginxConfig(r.spec, r.spec.nodes[0]!.name), file: 'keepwatch.conf' };
    const back = importKeepalivedCluster({ keepalived: files, nginx: rendered, clusterName: 'reference' });
    if (!back.ok) throw new Error(JSON.stringify(back.errors));
    expect(back.spec).toEqual(r.spec);
  });
});
