import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpecInput } from '@keepwatch/shared';
import {
  REF,
  referenceLab,
  referenceSpec,
  startReferenceAgents,
  waitFor,
  type Lab,
  type Spawned,
} from '@keepwatch/lab';
import { WS_ECHO_BACKEND } from '../support/ws-echo.js';

/**
 * The proxy-host options end to end (issue #17 item 3): agents on both LBs render them into real
 * nginx, and a client talks through the VIP — a WebSocket, an access list, basic auth, a host
 * redirect — and the proxy check gives up the VIP when the node's backend stops. Each LB proxies
 * to a backend on its own loopback (HTTP and WebSocket, answering with the LB's name), so
 * stopping lb1's fails lb1's proxy check only.
 */
const DENIED = '198.51.100.13';
const BACKEND_PORT = 9000;

/** A WebSocket client: sends each argument in turn through ws://VIP/ (Host app.example), prints the answers. */
const WS_CLIENT = `
const WebSocket = require('ws');
const [url, ...msgs] = process.argv.slice(1);
const ws = new WebSocket(url, { headers: { host: 'app.example' } });
const got = [];
ws.on('open', () => ws.send(msgs[0]));
ws.on('message', (m) => { got.push(String(m)); if (got.length === msgs.length) { console.log(JSON.stringify(got)); ws.close(); } else ws.send(msgs[got.length]); });
ws.on('error', (e) => { console.error(e.message); process.exit(1); });
setTimeout(() => process.exit(2), 5000).unref();
`;

describe('proxy-host options through the VIP', () => {
  let lab: Lab;
  const backends: Partial<Record<'lb1' | 'lb2', Spawned>> = {};

  /** One request from the client through the VIP with curl: `status location`. */
  async function curl(host: string, path: string, extra: string[] = []): Promise<string> {
    const r = await lab.exec('client', 'curl', [
      ...['-sS', '-o', '/dev/null', '-m', '2', '--noproxy', '*', '-H', `Host: ${host}`],
      ...['-w', '%{http_code} %{redirect_url}', ...extra, `http://${REF.vip}${path}`],
    ]);
    return r.stdout.trim();
  }

  beforeAll(async () => {
    lab = await referenceLab();
    await lab.exec('client', 'ip', ['addr', 'add', `${DENIED}/24`, 'dev', lab.host('client').iface]);
    const hash = (await lab.exec('client', 'openssl', ['passwd', '-6', '-salt', 'labsalt', 'secret'])).stdout.trim();
    for (const lb of ['lb1', 'lb2'] as const) {
      backends[lb] = lab.spawn(lb, process.execPath, ['-e', WS_ECHO_BACKEND, lb, String(BACKEND_PORT)], {
        logFile: join(lab.host(lb).dir, 'backend.log'),
        what: 'ws backend',
      });
      // As systemd's StateDirectory= makes it: nginx's workers (nobody here) reach the htpasswd files below.
      mkdirSync(join(lab.host(lb).dir, 'agent-state'), { mode: 0o755 });
    }
    const base = referenceSpec({
      check: [
        { kind: 'nginx', name: 'check_nginx', intervalMs: 1000 },
        { kind: 'proxy', name: 'check_proxy', host: 'app.example', intervalMs: 100, timeoutMs: 500, fall: 2 },
      ],
      instance: { trackChecks: [{ check: 'check_nginx' }, { check: 'check_proxy' }] },
    });
    const spec: ClusterSpecInput = {
      ...base,
      pools: [{ name: 'local', servers: [{ address: '127.0.0.1', port: BACKEND_PORT }] }],
      virtualServers: [
        {
          name: 'app',
          listen: [{ port: 80, defaultServer: true }],
          serverNames: ['app.example'],
          locations: [{ path: '/', pool: 'local', websocket: true }],
          access: {
            rules: [
              { action: 'deny', source: DENIED },
              { action: 'allow', source: '198.51.100.0/24' },
              { action: 'allow', source: '127.0.0.1' }, // the proxy check
            ],
          },
        },
        {
          name: 'private',
          listen: [{ port: 80 }],
          serverNames: ['private.example'],
          locations: [{ path: '/', pool: 'local' }],
          access: { basicAuth: { users: [{ name: 'alice', passwordHash: hash }] } },
        },
        {
          name: 'old',
          listen: [{ port: 80 }],
          serverNames: ['old.example'],
          locations: [],
          redirects: [{ path: '/', to: 'http://app.example$request_uri', code: 308 }],
        },
      ],
    };
    await startReferenceAgents(lab, spec);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitFor(async () => ((await curl('app.example', '/')) === '200' ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'app.example to be served through the VIP',
    });
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('carries a WebSocket through the VIP: messages go both ways on one connection', async () => {
    const r = await lab.exec('client', process.execPath, ['-e', WS_CLIENT, `ws://${REF.vip}/`, 'one', 'two', 'three']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['lb1:one', 'lb1:two', 'lb1:three']);
  });

  it('refuses the denied client address (403) and admits another of the allowed network', async () => {
    expect(await curl('app.example', '/', ['--interface', DENIED])).toBe('403');
    expect(await curl('app.example', '/', ['--interface', REF.client])).toBe('200');
  });

  it('asks for basic auth (401) and admits the user with the password (200), not with another', async () => {
    expect(await curl('private.example', '/')).toBe('401');
    expect(await curl('private.example', '/', ['-u', 'alice:secret'])).toBe('200');
    expect(await curl('private.example', '/', ['-u', 'alice:wrong'])).toBe('401');
  });

  it('redirects the old host with 308 to the new one, path and query kept', async () => {
    expect(await curl('old.example', '/some/page?x=1')).toBe('308 http://app.example/some/page?x=1');
  });

  it("moves the VIP when lb1's backend stops: nginx runs but cannot proxy, so the proxy check fails", async () => {
    await lab.stop(backends.lb1!.pid);
    await lab.waitForHolders(REF.vip, ['lb2'], 5_000);
    const r = await lab.exec('client', process.execPath, ['-e', WS_CLIENT, `ws://${REF.vip}/`, 'after']);
    expect(JSON.parse(r.stdout)).toEqual(['lb2:after']);
  });
});
