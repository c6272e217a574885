import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type ClusterSpec } from '@keepwatch/shared';
import { referenceSpec } from '../../../test/fixtures';
import { planRevert, sameContent, specDiff } from './revert-plan';

const base = (): ClusterSpec => ClusterSpecSchema.parse(referenceSpec());
const edited = (edit: (s: ClusterSpec) => void): ClusterSpec => {
  const s = structuredClone(base());
  edit(s);
  return ClusterSpecSchema.parse(s);
};

describe('planRevert', () => {
  it('writes only the rows whose content differs, by name', () => {
    const now = edited((s) => {
      s.checks[0]!.intervalMs = 2000;
    });
    const d = planRevert(now, base(), 1);
    expect(d.ok && d.plan).toMatchObject({
      rename: null,
      nodes: [],
      checks: { put: [base().checks[0]], remove: [] },
      pools: { put: [], remove: [] },
      vrrpInstances: { put: [], remove: [] },
      virtualServers: { put: [], remove: [] },
    });
  });

  it('deletes what the revision did not have and adds back what it had', () => {
    const now = edited((s) => {
      s.pools.push({ ...s.pools[0]!, name: 'extra' });
      s.virtualServers = [];
    });
    const d = planRevert(now, base(), 1);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.plan.pools.remove).toEqual(['extra']);
    expect(d.plan.virtualServers.put.map((v) => v.name)).toEqual(['server-1']);
  });

  it('restores a changed priority and VIP on the instance', () => {
    const now = edited((s) => {
      s.vrrpInstances[0]!.members[0]!.priority = 50;
    });
    const d = planRevert(now, base(), 3);
    expect(d.ok && d.plan.vrrpInstances.put).toEqual(base().vrrpInstances);
  });

  it('restores the cluster name and node addresses', () => {
    const now = edited((s) => {
      s.name = 'renamed';
      s.nodes[0]!.addresses = ['192.0.2.99'];
    });
    const d = planRevert(now, base(), 1);
    expect(d.ok && d.plan.rename).toBe('reference');
    expect(d.ok && d.plan.nodes).toEqual([base().nodes[0]]);
  });

  it('refuses a revision whose nodes differ from the cluster now, naming them', () => {
    const then = edited((s) => {
      s.nodes[1]!.name = 'LVS_OLD';
      s.vrrpInstances[0]!.members[1]!.node = 'LVS_OLD';
    });
    const d = planRevert(base(), then, 4);
    expect(d).toEqual({
      ok: false,
      message:
        'revision 4 cannot be restored: it has node "LVS_OLD", no longer in the cluster; node "LVS_2" joined after it (a revert keeps the cluster\'s nodes; add or remove them first)',
    });
  });
});

describe('sameContent and specDiff', () => {
  it('a spec has the same content as its copy, and no diff', () => {
    expect(sameContent(base(), base())).toBe(true);
    expect(specDiff(base(), 'a', base(), 'b')).toEqual({ patch: '', added: 0, removed: 0 });
  });

  it('the diff shows the line that goes back, old → new', () => {
    const now = edited((s) => {
      s.checks[0]!.intervalMs = 2000;
    });
    const d = specDiff(now, 'revision 2 (now)', base(), 'revision 1');
    expect(sameContent(now, base())).toBe(false);
    expect(d).toMatchObject({ added: 1, removed: 1 });
    expect(d.patch).toContain('--- revision 2 (now)');
    expect(d.patch).toContain('+++ revision 1');
    expect(d.patch).toMatch(/^- {6}"intervalMs": 2000,$/m);
    expect(d.patch).toMatch(/^\+ {6}"intervalMs": 1000,$/m);
  });
});
