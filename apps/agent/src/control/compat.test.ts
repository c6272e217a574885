import { describe, expect, it } from 'vitest';
import {
  NGINX_BUILD_CAPABILITY,
  NGINX_STATUS_CAPABILITY,
  parseAgentFrame,
  type AgentMessage,
  type HeartbeatMessage,
} from '@keepwatch/shared';
import { BuildReport, forHub } from './compat.js';

const HASH = 'cd'.repeat(32);

const heartbeat: AgentMessage = {
  v: 1,
  type: 'heartbeat',
  at: 1000,
  appliedRevision: 2,
  maintenance: false,
  nginx: { running: true, pid: 42, drainingWorkers: 1, drifted: true, onDiskSha256: HASH },
  instances: [],
};
const applied: AgentMessage = {
  v: 1,
  type: 'apply-result',
  seq: 1,
  at: 1000,
  revision: 3,
  outcome: 'applied',
  handEditReplaced: { onDiskSha256: HASH, text: '# by hand\n', truncated: false },
};

/** What a hub from before the nginx fields accepts: the same strict schema without them. */
function olderHubTakes(m: AgentMessage): boolean {
  const json = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
  const nginx = json.nginx as Record<string, unknown> | undefined;
  const extra = 'handEditReplaced' in json || (nginx !== undefined && Object.keys(nginx).length > 2);
  return !extra && parseAgentFrame(JSON.stringify(json)).ok;
}

describe('forHub', () => {
  it('sends the nginx fields to a hub that listed nginx-status', () => {
    expect(forHub(heartbeat, [NGINX_STATUS_CAPABILITY])).toEqual(heartbeat);
    expect(forHub(applied, [NGINX_STATUS_CAPABILITY])).toEqual(applied);
  });

  it('leaves them out of a heartbeat to a hub that did not', () => {
    const m = forHub(heartbeat, []);
    expect(m).toMatchObject({ nginx: { running: true, pid: 42 } });
    expect(olderHubTakes(m)).toBe(true);
  });

  it('leaves the replaced text out of an apply-result to a hub that did not', () => {
    const m = forHub(applied, ['pin-rotation']);
    expect(m).toEqual({ v: 1, type: 'apply-result', seq: 1, at: 1000, revision: 3, outcome: 'applied' });
    expect(olderHubTakes(m)).toBe(true);
  });
});

describe('nginx.build (issue #17 item 4)', () => {
  const build = { version: '1.22.1', modules: ['http_ssl_module'] };
  const withBuild: HeartbeatMessage = { ...(heartbeat as HeartbeatMessage), nginx: { running: true, pid: 42, build } };

  it('sends the build to a hub that listed nginx-build', () => {
    expect(forHub(withBuild, [NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY])).toEqual(withBuild);
  });

  it('leaves the build out for a hub with nginx-status but not nginx-build', () => {
    const m = forHub(withBuild, [NGINX_STATUS_CAPABILITY]);
    expect(m).toEqual({ ...withBuild, nginx: { running: true, pid: 42 } });
  });

  it('leaves the build out for a hub with neither', () => {
    expect(olderHubTakes(forHub(withBuild, []))).toBe(true);
  });

  it('puts the build in the first heartbeat of a session and when it changes only', () => {
    const report = new BuildReport();
    const plain: HeartbeatMessage = { ...withBuild, nginx: { running: true, pid: 42 } };
    expect(report.fit(plain, null)).toEqual(plain);
    expect(report.fit(plain, build)).toEqual(withBuild);
    expect(report.fit(plain, build)).toEqual(plain);
    const upgraded = { ...build, version: '1.22.2' };
    expect(report.fit(plain, upgraded).nginx.build).toEqual(upgraded);
    report.reset();
    expect(report.fit(plain, upgraded).nginx.build).toEqual(upgraded);
  });
});
