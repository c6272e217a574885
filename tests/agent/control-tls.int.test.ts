import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BIN, Lab, LabAgent, waitFor, type Spawned } from '@keepwatch/lab';
import { pemPin } from '@keepwatch/shared/tls';
import { selfSigned } from '../support/self-signed.js';

const SERVER = fileURLToPath(new URL('../support/tls-ws-server.mjs', import.meta.url));
const DASH = '198.51.100.50';
const TOKEN = 'kwe_0123456789abcdefghijklmnopqrstuv';

/**
 * Issue #15 finding 2: the control channel nobody on the path can use. lb1's agent is told to
 * reach its dashboard at wss://198.51.100.50:8443 with the dashboard's public key pinned. A TLS
 * WebSocket server there with another key (someone on the path) gets a TLS handshake and nothing
 * else — no enrollment token; the same server with the pinned key gets the enroll frame. And a
 * plain ws:// URL to that host is refused before connecting, exit 2.
 */
describe('control channel: wss:// with a pinned dashboard key', () => {
  let lab: Lab;
  let certs: Record<'real' | 'mitm' | 'next', { cert: string; key: string; pin: string }>;
  let server: Spawned | null = null;
  let agent: LabAgent | null = null;

  const makeCert = (name: string) => {
    const f = selfSigned(lab.host('dash').dir, name, { cn: `${name}.example`, san: `IP:${DASH}`, days: 1 });
    return { ...f, pin: pemPin(readFileSync(f.cert, 'utf8')) };
  };

  /** Serves wss on the dash host with `which` certificate; resolves with its record file. */
  const serve = async (which: 'real' | 'mitm' | 'next', announce?: string[]) => {
    const out = join(lab.host('dash').dir, `${which}-${announce ? 'hub' : 'mute'}-frames.jsonl`);
    const args = [SERVER, certs[which].cert, certs[which].key, DASH, '8443', out];
    server = lab.spawn('dash', process.execPath, announce ? [...args, JSON.stringify(announce)] : args, {
      logFile: join(lab.host('dash').dir, `${which}-server.log`),
      what: 'tls-ws-server',
    });
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('listening'), {
      timeoutMs: 10_000,
      what: 'the wss stand-in to listen',
    });
    return () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { event: string; text?: string })
        : [];
  };

  const startAgent = async (name: string) => {
    agent = new LabAgent(lab, 'lb1', {
      node: 'lb1',
      stateDir: join(lab.host('lb1').dir, `state-${name}`),
      controlPlane: { url: `wss://${DASH}:8443/agent`, enrollToken: TOKEN, pins: [certs.real.pin] },
    });
    await agent.start();
  };

  const stopServer = async () => {
    if (server) await lab.stop(server.pid).catch(() => undefined);
    server = null;
  };
  const stopAll = async () => {
    if (agent) await agent.stop().catch(() => undefined);
    agent = null;
    await stopServer();
  };

  beforeAll(async () => {
    lab = await Lab.create({
      hosts: [
        { name: 'lb1', ipv4: ['198.51.100.11/24'] },
        { name: 'dash', ipv4: [`${DASH}/24`] },
      ],
    });
    certs = { real: makeCert('real'), mitm: makeCert('mitm'), next: makeCert('next') };
  });

  afterAll(async () => {
    await stopAll();
    await lab?.teardown();
  });

  it('refuses a server whose key is not pinned after the TLS handshake, and sends it nothing', async () => {
    const records = await serve('mitm');
    await startAgent('mitm');
    await waitFor(() => agent!.log().includes('matches none of the pinned keys') || undefined, {
      timeoutMs: 10_000,
      what: 'the agent to refuse the unpinned key',
    });
    await new Promise((r) => setTimeout(r, 500));
    const seen = records();
    expect(seen.some((r) => r.event === 'tls')).toBe(true);
    expect(seen.filter((r) => r.event === 'frame')).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
    await stopAll();
  });

  it('enrolls with the server whose key is pinned (the token goes only there)', async () => {
    const records = await serve('real');
    await startAgent('real');
    const frame = await waitFor(() => records().find((r) => r.event === 'frame'), {
      timeoutMs: 10_000,
      what: 'the enroll frame',
    });
    expect(JSON.parse(frame.text!)).toMatchObject({ type: 'enroll', node: 'lb1', token: TOKEN });
    await stopAll();
  });

  it('takes the next key the dashboard announces, and trusts it after the certificate is replaced (no re-enrolment)', async () => {
    await serve('real', [certs.real.pin, certs.next.pin]);
    await startAgent('rotate');
    await waitFor(() => agent!.log().includes('dashboard pins updated') || undefined, {
      timeoutMs: 10_000,
      what: 'the agent to take the announced pins',
    }).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${agent!.log().slice(-3000)}`);
    });
    // The certificate is replaced: the agent reconnects (backoff) and hands its credential to the new key.
    await stopServer();
    const records = await serve('next');
    const hello = await waitFor(() => records().find((r) => r.event === 'frame'), {
      timeoutMs: 20_000,
      what: 'the hello frame on the new key',
    });
    expect(JSON.parse(hello.text!)).toMatchObject({
      type: 'hello',
      node: 'lb1',
      capabilities: ['pin-rotation', 'nginx-status', 'nginx-build', 'tls'],
    });
    await stopAll();
  });

  it('does not take an announcement that leaves out the key of the connection it came on', async () => {
    await serve('real', [certs.next.pin]);
    await startAgent('lockout');
    await waitFor(() => agent!.log().includes('leave out') || undefined, {
      timeoutMs: 10_000,
      what: 'the agent to refuse the announcement',
    });
    expect(existsSync(join(lab.host('lb1').dir, 'state-lockout', 'control-pins.json'))).toBe(false);
    await stopAll();
  });

  it('refuses plain ws:// to a remote dashboard before connecting: exit 2, saying to use wss://', async () => {
    const file = join(lab.host('lb1').dir, 'plain.json');
    writeFileSync(file, JSON.stringify({ node: 'lb1', controlPlane: { url: `ws://${DASH}:8443/agent` } }));
    const r = await lab.exec('lb1', process.execPath, [AGENT_BIN, 'run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use wss://');
  });
});
