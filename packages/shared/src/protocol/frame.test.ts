import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC_INPUT } from '../../test/spec-cases.js';
import {
  MAX_FRAME_BYTES,
  MESSAGE_SIZE_LIMITS,
  encodeFrame,
  helloMessage,
  parseAgentFrame,
  parseHubFrame,
} from './frame.js';
import type { AgentMessage, HubMessage } from './messages.js';
import { sampleHeartbeat, sampleInstanceStatus, sampleTransition } from '../testing/index.js';

const CRED = 'c'.repeat(32);

/** One valid example of every agent → hub message. */
const AGENT_MESSAGES: AgentMessage[] = [
  { v: 1, type: 'enroll', node: 'lb1', token: 't'.repeat(24), agentVersion: '0.1.0' },
  {
    v: 1,
    type: 'hello',
    node: 'lb1',
    credential: CRED,
    agentVersion: '0.1.0',
    capabilities: ['vrrp-v3', 'ipv6'],
    appliedRevision: 7,
    lastSeq: 41,
  },
  { v: 1, type: 'apply-result', seq: 42, at: 1_790_000_000_000, revision: 8, outcome: 'applied' },
  {
    v: 1,
    type: 'apply-result',
    seq: 43,
    at: 1_790_000_000_000,
    revision: 9,
    outcome: 'failed',
    stage: 'test',
    message: 'nginx -t failed',
    nginxOutput: 'nginx: [emerg] unknown directive "foo" in /etc/nginx/conf.d/keepwatch.conf:3\n',
    runningRevision: 8,
  },
  { ...sampleTransition({ at: 1_790_000_000_100 }), seq: 44 },
  // Without the rise/fall counters, as agents before them send it.
  {
    v: 1,
    type: 'check-result',
    seq: 45,
    at: 1_790_000_000_200,
    check: 'check_nginx',
    ok: false,
    status: 'failed',
    durationMs: 12,
    exitCode: 1,
    timedOut: false,
    output: 'nginx not running',
  },
  // Still healthy after 2 of `fall 3` failures.
  {
    v: 1,
    type: 'check-result',
    seq: 47,
    at: 1_790_000_000_300,
    check: 'check_http',
    ok: false,
    status: 'healthy',
    durationMs: 3,
    exitCode: null,
    timedOut: false,
    output: 'HTTP 503',
    consecutiveOk: 0,
    consecutiveFailed: 2,
  },
  sampleHeartbeat({
    at: 1_790_000_001_000,
    appliedRevision: 8,
    instances: [sampleInstanceStatus({ since: 1_790_000_000_100 })],
  }),
  {
    v: 1,
    type: 'command-result',
    seq: 46,
    at: 1_790_000_002_000,
    id: 'cmd-1',
    outcome: 'refused',
    reason: 'node is in fault',
  },
  { v: 1, type: 'error', code: 'internal', message: 'state file unreadable' },
];

/** One valid example of every hub → agent message. */
const HUB_MESSAGES: HubMessage[] = [
  { v: 1, type: 'enrolled', node: 'lb1', credential: CRED },
  { v: 1, type: 'welcome', node: 'lb1', serverVersion: '0.1.0', heartbeatIntervalMs: 1000, ackedSeq: 40 },
  { v: 1, type: 'config-push', revision: 9, spec: REFERENCE_SPEC_INPUT as never },
  { v: 1, type: 'ack', seq: 46 },
  { v: 1, type: 'command', id: 'cmd-1', at: 1_790_000_002_000, command: { kind: 'promote', instance: 'VI_1' } },
  { v: 1, type: 'command', id: 'cmd-2', at: 1_790_000_002_000, command: { kind: 'release', instance: 'VI_1' } },
  { v: 1, type: 'command', id: 'cmd-3', at: 1_790_000_002_000, command: { kind: 'maintenance', enabled: true } },
  { v: 1, type: 'error', code: 'unauthorized', message: 'unknown credential' },
];

describe('parseAgentFrame', () => {
  it.each(AGENT_MESSAGES.map((m) => ({ type: m.type, m })))('accepts a valid $type message', ({ m }) => {
    expect(parseAgentFrame(JSON.stringify(m))).toEqual({ ok: true, message: m });
  });

  it('accepts a frame given as bytes', () => {
    const m = AGENT_MESSAGES[2]!;
    expect(parseAgentFrame(new TextEncoder().encode(JSON.stringify(m)))).toEqual({ ok: true, message: m });
  });

  it('answers an unknown protocol version with an error naming the versions it speaks', () => {
    const r = parseAgentFrame(JSON.stringify({ ...AGENT_MESSAGES[1], v: 2 }));
    expect(r).toMatchObject({
      ok: false,
      reply: { v: 1, type: 'error', code: 'unsupported-version', supportedVersions: [1] },
    });
    if (!r.ok) expect(r.reply.message).toBe('protocol version 2 is not supported; this peer speaks version 1');
  });

  it('treats a frame without a version as an unknown version', () => {
    const { v: _v, ...rest } = AGENT_MESSAGES[1]!;
    expect(parseAgentFrame(JSON.stringify(rest))).toMatchObject({ ok: false, reply: { code: 'unsupported-version' } });
  });

  it('answers malformed JSON with bad-json', () => {
    expect(parseAgentFrame('{"v":1,')).toMatchObject({ ok: false, reply: { code: 'bad-json' } });
  });

  it('refuses a frame over the global limit before parsing it', () => {
    expect(parseAgentFrame('x'.repeat(MAX_FRAME_BYTES + 1))).toMatchObject({ ok: false, reply: { code: 'too-large' } });
  });

  it('refuses a message over its own type limit', () => {
    const big = { ...AGENT_MESSAGES[5], output: 'x'.repeat(MESSAGE_SIZE_LIMITS['check-result']) };
    const r = parseAgentFrame(JSON.stringify(big));
    expect(r).toMatchObject({ ok: false, reply: { code: 'too-large' } });
    if (!r.ok) expect(r.reply.message).toMatch(/^check-result message of \d+ bytes exceeds its limit of 16384$/);
  });

  it('names the field paths of an invalid message', () => {
    const r = parseAgentFrame(JSON.stringify({ ...AGENT_MESSAGES[4], to: 'leader', vrid: 0 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reply.code).toBe('invalid-message');
    expect(r.issues).toEqual([expect.stringMatching(/^vrid: /), expect.stringMatching(/^to: /)]);
  });

  it('refuses rise/fall counters that are negative, fractional or beyond 255, naming the field', () => {
    for (const bad of [{ consecutiveOk: -1 }, { consecutiveFailed: 1.5 }, { consecutiveFailed: 256 }]) {
      const r = parseAgentFrame(JSON.stringify({ ...AGENT_MESSAGES[6], ...bad }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues).toEqual([expect.stringMatching(new RegExp(`^${Object.keys(bad)[0]}: `))]);
    }
  });

  it('refuses a hub message arriving from an agent', () => {
    expect(parseAgentFrame(JSON.stringify(HUB_MESSAGES[4]))).toMatchObject({
      ok: false,
      reply: { code: 'invalid-message' },
    });
  });

  it('refuses a config push whose spec breaks a cross-field rule, naming the path', () => {
    const spec = structuredClone(REFERENCE_SPEC_INPUT) as { pools: { name: string }[] };
    spec.pools[0]!.name = 'other';
    const r = parseHubFrame(JSON.stringify({ v: 1, type: 'config-push', revision: 3, spec }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContain('spec.virtualServers.0.locations.0.pool: unknown pool "webs"');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array()), (raw) => {
        const r = parseAgentFrame(raw);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseHubFrame', () => {
  it.each(HUB_MESSAGES.map((m) => ({ type: m.type, m })))('accepts a valid $type message', ({ m }) => {
    const r = parseHubFrame(JSON.stringify(m));
    expect(r.ok).toBe(true);
  });
});

describe('encodeFrame', () => {
  it.each([...AGENT_MESSAGES, ...HUB_MESSAGES].map((m) => ({ type: m.type, m })))(
    'encodes a $type message that parses back',
    ({ m }) => {
      const text = encodeFrame(m);
      const r =
        m.type === 'error' || HUB_MESSAGES.includes(m as HubMessage) ? parseHubFrame(text) : parseAgentFrame(text);
      expect(r.ok).toBe(true);
    },
  );

  it('throws on an invalid message, since sending one is a bug on this side', () => {
    expect(() => encodeFrame({ ...AGENT_MESSAGES[4], priority: 999 } as AgentMessage)).toThrow(
      /invalid state-transition message: priority: /,
    );
  });
});

describe('helloMessage', () => {
  it('builds a hello of this protocol version with no capabilities unless given', () => {
    const m = helloMessage({
      node: 'lb1',
      credential: CRED,
      agentVersion: '0.1.0',
      appliedRevision: null,
      lastSeq: null,
    });
    expect(m).toEqual({ ...AGENT_MESSAGES[1], capabilities: [], appliedRevision: null, lastSeq: null });
    expect(parseAgentFrame(encodeFrame(m)).ok).toBe(true);
  });
});
