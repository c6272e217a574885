import { describe, expect, it } from 'vitest';
import { encodeFrame, parseAgentFrame, parseHubFrame } from './frame.js';
import {
  MAX_HAND_EDIT_JSON_BYTES,
  NGINX_BUILD_CAPABILITY,
  NGINX_STATUS_CAPABILITY,
  welcomeCapabilities,
} from './nginx-status.js';
import { PIN_ROTATION_CAPABILITY, type ApplyResultMessage } from './messages.js';
import { sampleHeartbeat } from '../testing/index.js';

const HASH = 'ab'.repeat(32);

function applied(handEditReplaced?: unknown): string {
  return JSON.stringify({
    v: 1,
    type: 'apply-result',
    seq: 3,
    at: 1_790_000_000_000,
    revision: 4,
    outcome: 'applied',
    ...(handEditReplaced === undefined ? {} : { handEditReplaced }),
  });
}

describe('nginx status fields of the protocol (issue #17 item 5)', () => {
  it('takes a heartbeat with draining workers and drift', () => {
    const hb = sampleHeartbeat({
      nginx: { running: true, pid: 77, drainingWorkers: 2, drifted: true, onDiskSha256: HASH },
    });
    const r = parseAgentFrame(encodeFrame(hb));
    expect(r.ok && r.message).toEqual(hb);
  });

  it('takes a heartbeat without them, as agents before them send it', () => {
    const r = parseAgentFrame(encodeFrame(sampleHeartbeat()));
    expect(r.ok).toBe(true);
  });

  it('takes a drifted heartbeat whose rendered file is missing', () => {
    const hb = sampleHeartbeat({ nginx: { running: true, pid: 77, drifted: true, onDiskSha256: null } });
    expect(parseAgentFrame(encodeFrame(hb)).ok).toBe(true);
  });

  it('refuses an on-disk hash that is not lower-case hex SHA-256', () => {
    for (const bad of [HASH.toUpperCase(), 'ab'.repeat(31), `${HASH}0`]) {
      const hb = sampleHeartbeat({ nginx: { running: true, pid: 77, drifted: true, onDiskSha256: bad } });
      expect(parseAgentFrame(JSON.stringify(hb)).ok, bad).toBe(false);
    }
  });

  it('takes an apply-result that replaced a hand edit, and one without it', () => {
    const r = parseAgentFrame(
      applied({ onDiskSha256: HASH, text: 'upstream webs {\n\tserver x;\n}\n', truncated: false }),
    );
    expect(r.ok && (r.message as ApplyResultMessage)).toMatchObject({ handEditReplaced: { onDiskSha256: HASH } });
    expect(parseAgentFrame(applied()).ok).toBe(true);
  });

  it('refuses replaced text over the cap or with control characters', () => {
    const long = { onDiskSha256: HASH, text: 'x'.repeat(MAX_HAND_EDIT_JSON_BYTES + 1), truncated: true };
    expect(parseAgentFrame(applied(long)).ok).toBe(false);
    expect(parseAgentFrame(applied({ onDiskSha256: HASH, text: 'a\u0000b', truncated: false })).ok).toBe(false);
  });

  it('keeps an apply-result with the largest replaced text under its message limit', () => {
    const text = '\t'.repeat(MAX_HAND_EDIT_JSON_BYTES / 2 - 1); // each tab is 2 bytes of JSON
    expect(parseAgentFrame(applied({ onDiskSha256: HASH, text, truncated: true })).ok).toBe(true);
  });

  it('answers nginx-status in welcome only to an agent that announced it', () => {
    expect(welcomeCapabilities([PIN_ROTATION_CAPABILITY, NGINX_STATUS_CAPABILITY])).toEqual([NGINX_STATUS_CAPABILITY]);
    expect(welcomeCapabilities([PIN_ROTATION_CAPABILITY])).toBeUndefined();
    expect(welcomeCapabilities([])).toBeUndefined();
  });

  it('takes a welcome with capabilities, and one without, as hubs before them send it', () => {
    const welcome = {
      v: 1,
      type: 'welcome',
      node: 'lb1',
      serverVersion: '0.2.0',
      heartbeatIntervalMs: 1000,
      ackedSeq: null,
    };
    expect(parseHubFrame(JSON.stringify(welcome)).ok).toBe(true);
    expect(parseHubFrame(JSON.stringify({ ...welcome, capabilities: [NGINX_STATUS_CAPABILITY] })).ok).toBe(true);
  });

  it('takes a heartbeat carrying the nginx build (issue #17 item 4)', () => {
    const build = { version: '1.22.1', modules: ['http_ssl_module', 'http_v2_module'], openssl: '3.0.19' };
    const hb = sampleHeartbeat({ nginx: { running: true, pid: 77, build } });
    const r = parseAgentFrame(encodeFrame(hb));
    expect(r.ok && r.message).toEqual(hb);
  });

  it('refuses a build whose version is not major.minor.patch', () => {
    const hb = sampleHeartbeat({ nginx: { running: true, pid: 77, build: { version: '1.22', modules: [] } } });
    expect(parseAgentFrame(JSON.stringify(hb)).ok).toBe(false);
  });

  it('answers nginx-build in welcome only to an agent that announced it', () => {
    expect(welcomeCapabilities([NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY])).toEqual([
      NGINX_STATUS_CAPABILITY,
      NGINX_BUILD_CAPABILITY,
    ]);
    expect(welcomeCapabilities([NGINX_STATUS_CAPABILITY])).toEqual([NGINX_STATUS_CAPABILITY]);
  });
});
