import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  REF,
  endedBySwitch,
  referenceLab,
  referenceSpec,
  startReferenceAgents,
  waitFor,
  type Lab,
  type LabAgent,
  type Spawned,
} from '@keepwatch/lab';
import { ClusterSpecSchema, type ClusterSpecInput, type TlsMaterial } from '@keepwatch/shared';
import { selfSigned } from '../support/self-signed.js';
import { H2_PROBE, type H2ProbeRecord as ProbeRecord } from '../support/h2-probe.js';
import { WS_ECHO_BACKEND, WS_HOLDING_CLIENT } from '../support/ws-echo.js';

const NAME = 'www.example.test';
const TOKEN = 'kwe_0123456789abcdefghijklmnopqrstuv';
const WS_PORT = 9000;

type Sent = { type: string; node?: string; seq?: number; revision?: number; outcome?: string; [k: string]: unknown };

/**
 * Issue #17 item 1 in the lab: TLS terminated on both LBs' nginx by keepwatch-agent, the
 * certificate pushed with the revision by a stand-in hub (the protocol's config-push with `tls`).
 * HTTPS through the VIP (SNI www.example.test, HTTP/2) keeps working while the VIP moves to lb2
 * (no failed request but, at most, the one in flight at the switch) and while a renewal (same
 * name, new key: same spec, new files) is pushed (none) — and the served certificate becomes the
 * new one.
 */
describe('TLS termination through the VIP', () => {
  let lab: Lab;
  let agents: Record<'lb1' | 'lb2', LabAgent> | undefined;
  let wss: WebSocketServer | undefined;
  let server: Server | undefined;
  const sessions = new Map<string, WebSocket>();
  const received: Sent[] = [];
  let certs: { a: { cert: string; key: string }; b: { cert: string; key: string } };

  const reference = referenceSpec();
  const spec: ClusterSpecInput = {
    ...reference,
    // Each LB's own WebSocket echo backend on its loopback, behind /ws.
    pools: [...(reference.pools ?? []), { name: 'ws', servers: [{ address: '127.0.0.1', port: WS_PORT }] }],
    virtualServers: [
      {
        name: 'www',
        listen: [{ port: 80 }, { port: 443, ssl: true }],
        serverNames: [NAME],
        locations: [
          { path: '/', pool: 'webs' },
          { path: '/ws', pool: 'ws', websocket: true },
        ],
        tls: { certificate: 'www', redirectHttp: true },
      },
    ],
  };
  const material = (f: { cert: string; key: string }): TlsMaterial => {
    const certificatePem = readFileSync(f.cert, 'utf8');
    return {
      certificates: [
        {
          name: 'www',
          fingerprintSha256: fingerprint(certificatePem).replaceAll(':', '').toLowerCase(),
          certificatePem,
          keyPem: readFileSync(f.key, 'utf8'),
        },
      ],
    };
  };
  const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

  let revision = 0;
  /** Pushes the next revision to both agents and waits until both applied it. */
  const push = async (tls: TlsMaterial) => {
    revision += 1;
    const m = { v: 1, type: 'config-push', revision, spec: ClusterSpecSchema.parse(spec), tls };
    for (const ws of sessions.values()) ws.send(JSON.stringify(m));
    const n = revision;
    await waitFor(
      () => {
        const r = received.filter((x) => x.type === 'apply-result' && x.revision === n);
        const failed = r.find((x) => x.outcome !== 'applied');
        if (failed) throw new Error(`revision ${n} failed: ${JSON.stringify(failed)}`);
        return r.length === 2 || undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `revision ${n} applied on lb1 and lb2` },
    );
  };

  const startProbe = (name: string) => {
    const script = lab.writeFile('client', 'https-probe.mjs', H2_PROBE);
    const out = join(lab.host('client').dir, `${name}.jsonl`);
    const proc: Spawned = lab.spawn(
      'client',
      process.execPath,
      [script, REF.vip, NAME, `${certs.a.cert},${certs.b.cert}`, out, '20'],
      { logFile: join(lab.host('client').dir, `${name}.log`), what: 'https probe' },
    );
    const records = () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as ProbeRecord)
            .sort((x, y) => x.seq - y.seq)
        : [];
    return {
      records,
      stop: async () => {
        await lab.stop(proc.pid, { sig: 'SIGTERM', graceMs: 6000 });
        return records();
      },
    };
  };

  beforeAll(async () => {
    lab = await referenceLab();
    const dir = lab.host('client').dir;
    const o = { cn: NAME, san: `DNS:${NAME}`, days: 2 };
    certs = { a: selfSigned(dir, 'www-a', o), b: selfSigned(dir, 'www-b', o) };
    // The hub stand-in: enroll → enrolled, hello → welcome and the current revision, events acked.
    const socket = lab.unixSocketPath('hub');
    rmSync(socket, { force: true });
    server = createServer();
    wss = new WebSocketServer({ server, path: '/agent' });
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as Sent;
        received.push(m);
        const send = (x: object) => ws.send(JSON.stringify({ v: 1, ...x }));
        if (m.type === 'enroll')
          send({ type: 'enrolled', node: m.node, credential: `cred-${String(m.node)}-0123456789abcdef` });
        if (m.type === 'hello') {
          sessions.set(String(m.node), ws);
          send({ type: 'welcome', node: m.node, serverVersion: '0.0.0', heartbeatIntervalMs: 1000, ackedSeq: null });
        }
        if (typeof m.seq === 'number' && m.type !== 'hello') send({ type: 'ack', seq: m.seq });
      });
    });
    await new Promise<void>((r) => server!.listen(socket, r));
    for (const lb of ['lb1', 'lb2'])
      lab.spawn(lb, process.execPath, ['-e', WS_ECHO_BACKEND, lb, String(WS_PORT)], {
        logFile: join(lab.host(lb).dir, 'ws-backend.log'),
        what: 'ws backend',
      });
    const started = await startReferenceAgents(lab, spec, {
      metrics: false,
      configure: (_lb, { spec: _standalone, ...cfg }) => ({
        ...cfg,
        controlPlane: { url: `ws+unix://${socket}:/agent`, enrollToken: TOKEN },
      }),
    });
    agents = started.agent;
    await waitFor(() => sessions.size === 2 || undefined, { timeoutMs: 10_000, what: 'both agents to say hello' });
    await push(material(certs.a));
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  }, 90_000);

  afterAll(async () => {
    for (const a of Object.values(agents ?? {})) await a.stop().catch(() => undefined);
    for (const ws of sessions.values()) ws.terminate();
    wss?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await lab?.teardown();
  });

  it('agents announce tls, and write the key 0600 and the certificate 0644 under their state folder', () => {
    const hellos = received.filter((m) => m.type === 'hello');
    for (const h of hellos) expect(h.capabilities).toContain('tls');
    for (const lb of ['lb1', 'lb2']) {
      const tls = join(lab.host(lb).dir, 'agent-state', 'tls');
      expect(statSync(join(tls, 'www.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(tls, 'www.pem')).mode & 0o777).toBe(0o644);
    }
  });

  it('serves HTTPS through the VIP while the VIP moves to lb2 and a renewal is pushed, failing none but the one request in flight at the switch; HTTP/2; the new certificate afterwards', async () => {
    const [fpA, fpB] = [certs.a, certs.b].map((c) => fingerprint(readFileSync(c.cert, 'utf8')));
    const probe = startProbe('move-and-renew');
    let records: ProbeRecord[];
    let [moveAt, movedAt, pushedAt, renewedAt] = [Infinity, Infinity, Infinity, Infinity];
    try {
      await waitFor(() => probe.records().length >= 5 || undefined, { timeoutMs: 5000, what: 'first HTTPS answers' });
      // Make-before-break move (the promote command), as the dashboard's "Move VIP" sends it.
      moveAt = Date.now();
      sessions.get('lb2')!.send(
        JSON.stringify({
          v: 1,
          type: 'command',
          id: 'move-1',
          at: Date.now(),
          command: { kind: 'promote', instance: 'VI_1' },
        }),
      );
      await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
      movedAt = Date.now();
      const beforeRenewal = probe.records().length;
      pushedAt = Date.now();
      await push(material(certs.b));
      renewedAt = Date.now();
      await waitFor(
        () =>
          probe
            .records()
            .slice(beforeRenewal)
            .some((r) => r.fp === fpB) || undefined,
        {
          timeoutMs: 5000,
          what: 'the renewed certificate served',
        },
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      records = await probe.stop();
    }
    // Nothing fails but, at most, the one request in flight at the move's switch (`endedBySwitch`:
    // CI saw one time out — lb1 had the request and removed the VIP before answering; no VRRP
    // implementation keeps it without connection sync). The renewal (a reload) loses nothing.
    const failed = records.filter((r) => !r.ok);
    const atSwitch = failed.filter((r) => endedBySwitch(r) && r.sentAt >= moveAt - 2000 && r.sentAt <= movedAt);
    expect(atSwitch.length, JSON.stringify(failed.slice(0, 5))).toBeLessThanOrEqual(1);
    expect(
      failed.filter((r) => !atSwitch.includes(r)),
      JSON.stringify(failed.slice(0, 5)),
    ).toEqual([]);
    expect(records.length).toBeGreaterThan(20);
    const served = records.filter((r) => r.ok);
    expect(new Set(served.map((r) => r.alpn))).toEqual(new Set(['h2']));
    expect(served.at(-1)!.fp).toBe(fpB);
    // Handshakes before the renewal was pushed saw only the old certificate, and once both nodes
    // applied it only the new one. By handshake time, not send order: a request can complete its
    // handshake after ones sent later (CI saw request 10 get the old certificate while one sent
    // before it, whose handshake came after the move and the push, got the new one).
    const at = (r: ProbeRecord) => r.connectedAt ?? r.sentAt;
    expect(served.filter((r) => at(r) < pushedAt).length).toBeGreaterThan(0);
    expect(served.filter((r) => at(r) < pushedAt && r.fp !== fpA)).toEqual([]);
    expect(served.filter((r) => at(r) > renewedAt && r.fp !== fpB)).toEqual([]);
    expect(served.filter((r) => at(r) > renewedAt).length).toBeGreaterThan(0);
    expect(new Set(served.map((r) => r.body))).toEqual(new Set(['web1', 'web2']));
  });

  it('answers plain HTTP with a 308 to HTTPS', async () => {
    const r = await lab.exec('client', 'curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      `http://${REF.vip}/x`,
      '-H',
      `Host: ${NAME}`,
    ]);
    expect(r.stdout).toBe(`308 https://${NAME}/x`);
  });

  it('refuses a push whose key does not match its certificate: nginx -t fails on both nodes, and the files in use stay', async () => {
    const bad = material(certs.b);
    bad.certificates[0]!.keyPem = readFileSync(certs.a.key, 'utf8');
    revision += 1;
    const n = revision;
    for (const ws of sessions.values())
      ws.send(
        JSON.stringify({ v: 1, type: 'config-push', revision: n, spec: ClusterSpecSchema.parse(spec), tls: bad }),
      );
    const results = await waitFor(
      () => {
        const r = received.filter((x) => x.type === 'apply-result' && x.revision === n);
        return r.length === 2 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `revision ${n} answered by both` },
    );
    for (const r of results) expect(r).toMatchObject({ outcome: 'failed', stage: 'test', runningRevision: n - 1 });
    expect(String(results[0]!.nginxOutput)).toMatch(/key values mismatch/);
    const key = readFileSync(join(lab.host('lb2').dir, 'agent-state', 'tls', 'www.key'), 'utf8');
    expect(key).toBe(readFileSync(certs.b.key, 'utf8'));
  });

  it('keeps a WebSocket through the VIP usable while a pushed revision reloads nginx on its node', async () => {
    const flag = join(lab.host('client').dir, 'ws-after');
    rmSync(flag, { force: true });
    const out = join(lab.host('client').dir, 'ws-client.log');
    const client = lab.spawn(
      'client',
      process.execPath,
      ['-e', WS_HOLDING_CLIENT, `wss://${REF.vip}/ws`, NAME, `${certs.a.cert},${certs.b.cert}`, flag],
      { logFile: out, what: 'wss client' },
    );
    try {
      await waitFor(() => (readFileSync(out, 'utf8').includes(':before') ? true : undefined), {
        timeoutMs: 5000,
        what: 'the WebSocket answered through the VIP',
      });
      await push(material(certs.a)); // a new revision: nginx -t and a reload on both nodes
      lab.writeFile('client', 'ws-after', '');
      const line = await waitFor(
        () =>
          readFileSync(out, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('{')),
        {
          timeoutMs: 10_000,
          what: 'the WebSocket client to finish',
        },
      );
      const r = JSON.parse(line) as { got: string[]; closedEarly: number | null };
      expect(r.closedEarly).toBeNull();
      const node = r.got[0]!.split(':')[0];
      expect(r.got).toEqual([`${node}:before`, `${node}:after`]);
    } finally {
      await lab.stop(client.pid);
    }
  });
});
