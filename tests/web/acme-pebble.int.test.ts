import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import {
  REF,
  endedBySwitch,
  referenceSpec,
  waitFor,
  waitRevisionApplied,
  type Lab,
  type LabAgent,
} from '@keepwatch/lab';
import { enrollReferenceCluster, startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { selfSigned } from '../support/self-signed.js';

/**
 * ACME end to end (issue #17 item 2, "Done when"): pebble (Let's Encrypt's test CA) in the lab's
 * client namespace, pebble-challtestsrv as its DNS answering every name with the VIP, the
 * dashboard ordering through its account, and two agents with real nginx answering http-01
 * statelessly. HTTPS through the VIP serves pebble's certificate with no failed request while the
 * VIP moves, and while a renewal ordered during a move validates and rolls out.
 */
const NAME = 'www.pebble.test';

/** Forwards connections on a unix socket (the filesystem is shared) to 127.0.0.1:PORT in this namespace. */
const FORWARD = `const net = require('node:net'), fs = require('node:fs');
const [sock, port] = process.argv.slice(1);
try { fs.unlinkSync(sock); } catch {}
net.createServer((c) => { const u = net.connect(Number(port), '127.0.0.1'); c.pipe(u).pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(sock);`;

/** HTTPS GETs through the VIP with SNI NAME at RATE/s, each on a new connection: one JSON line each (ok, the leaf's SHA-256). */
const HTTPS_PROBE = `const https = require('node:https'), fs = require('node:fs');
const [vip, name, out, rate] = process.argv.slice(1);
const w = fs.createWriteStream(out, { flags: 'a' }); const t0 = Date.now(); let seq = 0, stop = false;
process.on('SIGTERM', () => { stop = true; setTimeout(() => w.end(() => process.exit(0)), 1700); });
function once() { const n = seq++, sentAt = Date.now(); let done = false;
  const fin = (r) => { if (!done) { done = true; w.write(JSON.stringify({ seq: n, sentAt, ...r }) + '\\n'); } };
  const req = https.request({ host: vip, port: 443, servername: name, path: '/', agent: false, timeout: 1500,
    rejectUnauthorized: false, headers: { host: name, connection: 'close' } }, (res) => {
    const fp = res.socket.getPeerCertificate().fingerprint256; res.resume();
    res.on('end', () => fin({ ok: res.statusCode === 200, status: res.statusCode, fp }));
    res.on('error', (e) => fin({ ok: false, error: e.code || e.message })); });
  req.on('timeout', () => req.destroy(new Error('timeout'))); req.on('error', (e) => fin({ ok: false, error: e.code || e.message }));
  req.end(); }
(function tick() { if (stop || Date.now() - t0 > 60000) return; once(); setTimeout(tick, Math.max(0, t0 + seq * (1000 / Number(rate)) - Date.now())); })();`;

type Rec = { seq: number; ok: boolean; fp?: string; error?: string; status?: number };
type Cert = { id: string; name: string; fingerprintSha256: string; issuer: string; lastError: string | null };

describe('ACME with pebble through the VIP', () => {
  let env: DashboardLab | undefined;
  let lab: Lab;
  let agents: Record<'lb1' | 'lb2', LabAgent> | undefined;
  let relay: Server | undefined;
  let clusterId = '';
  let instanceId = '';
  const nodeIds: Record<string, string> = {};

  beforeAll(async () => {
    // pebble's own HTTPS listener (its directory): a self-signed certificate the dashboard trusts.
    const tls = selfSigned(mkdtempSync('/tmp/kw-pebble-'), 'pebble', { cn: 'pebble', san: 'IP:127.0.0.1', days: 2 });
    env = await startDashboardLab({ env: { KEEPWATCH_ACME_CA_FILE: tls.cert } });
    lab = env.lab;
    const started = await enrollReferenceCluster(env, referenceSpec());
    ({ clusterId, agents } = started);
    for (const n of await env.api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId }))
      nodeIds[n.node.name] = n.id;
    instanceId = (await env.api.query<{ id: string }[]>('instances.list', { clusterId }))[0]!.id;
    const dir = lab.host('client').dir;
    const log = (what: string) => ({ logFile: join(dir, `${what}.log`), what });
    // Every name resolves to the VIP: whichever node holds it answers the CA's http-01 request.
    lab.spawn(
      'client',
      '/usr/bin/pebble-challtestsrv',
      [
        ...['-defaultIPv4', REF.vip, '-defaultIPv6', '', '-dns01', '127.0.0.1:8053', '-management', '127.0.0.1:8055'],
        ...['-http01', '', '-https01', '', '-tlsalpn01', ''],
      ],
      log('challtestsrv'),
    );
    const config = join(dir, 'pebble.json');
    writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: '127.0.0.1:14000',
          managementListenAddress: '127.0.0.1:15000',
          certificate: tls.cert,
          privateKey: tls.key,
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          certificateValidityPeriod: 3600,
        },
      }),
    );
    // No random validation sleeps, and every order validates again (no reused authorizations).
    const pebbleEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' };
    lab.spawn('client', '/usr/bin/pebble', ['-config', config, '-dnsserver', '127.0.0.1:8053'], {
      ...log('pebble'),
      env: pebbleEnv,
    });
    // The dashboard (host namespace) reaches pebble through a unix socket and a relay on its loopback.
    const sock = join(dir, 'pebble.sock');
    lab.spawn('client', process.execPath, ['-e', FORWARD, sock, '14000'], log('pebble-forward'));
    relay = createServer((c) => {
      const u = connect(sock);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => relay!.listen(0, '127.0.0.1', r));
    const ca = readFileSync(tls.cert);
    await waitFor(
      () =>
        new Promise<true | undefined>((resolve) =>
          get(
            directoryUrl(),
            { ca, timeout: 1000 },
            (res) => (res.resume(), resolve(res.statusCode === 200 || undefined)),
          )
            .on('error', () => resolve(undefined))
            .on('timeout', function (this: { destroy(): void }) {
              this.destroy();
            }),
        ),
      { timeoutMs: 15_000, intervalMs: 100, what: "pebble's directory through the relay" },
    );
  }, 90_000);

  afterAll(async () => {
    relay?.close();
    for (const a of Object.values(agents ?? {})) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  const directoryUrl = () => `https://127.0.0.1:${(relay!.address() as { port: number }).port}/dir`;
  const certificate = async () =>
    (await env!.api.query<Cert[]>('certificates.list', { clusterId })).find((c) => c.name === 'site')!;
  /** The probe through the VIP around `during`; resolves with its records. */
  const probed = async (during: () => Promise<void>): Promise<Rec[]> => {
    const out = join(lab.host('client').dir, `https-probe-${Date.now()}.jsonl`);
    const p = lab.spawn('client', process.execPath, ['-e', HTTPS_PROBE, REF.vip, NAME, out, '20'], {
      logFile: `${out}.log`,
      what: 'https probe',
    });
    try {
      await waitFor(() => (readFileSync(out, { flag: 'a+' }).length > 0 ? true : undefined), {
        timeoutMs: 5000,
        what: 'first probe record',
      });
      await during();
    } finally {
      lab.signal(p.pid, 'SIGTERM');
      await p.exited;
    }
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Rec);
  };
  const promote = async (node: 'lb1' | 'lb2') => {
    await env!.api.mutate('failover.promote', { instanceId, nodeId: nodeIds[node] });
    await lab.waitForHolders(REF.vip, [node], 10_000);
  };
  const fp = (stored: string) => stored.toUpperCase();
  /**
   * A VIP move cuts a connection in flight on the node giving the VIP up — reset by the new holder
   * (which has no such connection), or timed out when the old one had the request and removed the
   * VIP before answering (`endedBySwitch`): at most one per move, and nothing else fails — as
   * tests/web/failover.int.test.ts holds plain HTTP to.
   */
  const expectMadeBeforeBroken = (recs: Rec[], moves: number) => {
    const failed = recs.filter((x) => !x.ok);
    console.log(`${failed.length} of ${recs.length} HTTPS requests failed (${failed.map((f) => f.error).join(', ')})`);
    expect(failed.length, JSON.stringify(failed)).toBeLessThanOrEqual(moves);
    for (const f of failed) expect(endedBySwitch(f), JSON.stringify(f)).toBe(true);
  };

  it('issues a certificate from pebble (http-01 answered through the VIP) and HTTPS through the VIP serves it', async () => {
    const t0 = Date.now();
    const account = await env!.api.mutate<{ revision: number }>('certificates.createAcmeAccount', {
      clusterId,
      directoryUrl: directoryUrl(),
      email: 'ops@example.test',
    });
    // The nodes answer the challenge before the first order: the account's revision is applied first.
    await waitRevisionApplied(env!.api, clusterId, account.revision);
    const c = await env!.api.mutate<Cert>('certificates.requestAcme', { clusterId, name: 'site', names: [NAME] });
    expect(c.lastError).toBeNull();
    expect(c.issuer).toMatch(/Pebble/);
    const [vs] = await env!.api.query<{ id: string; version: number; virtualServer: Record<string, unknown> }[]>(
      'virtualServers.list',
      { clusterId },
    );
    const r = await env!.api.mutate<{ revision: number }>('virtualServers.update', {
      id: vs!.id,
      version: vs!.version,
      virtualServer: {
        ...vs!.virtualServer,
        serverNames: [NAME],
        listen: [{ port: 80 }, { port: 443, ssl: true }],
        tls: { certificate: 'site', redirectHttp: true },
      },
    });
    await waitRevisionApplied(env!.api, clusterId, r.revision);
    const recs = await probed(() => new Promise((res) => setTimeout(res, 500)));
    expect(recs.filter((x) => !x.ok)).toEqual([]);
    expect(recs.every((x) => x.fp === fp(c.fingerprintSha256))).toBe(true);
    console.log(`issue + first HTTPS: ${Date.now() - t0} ms`);
  }, 60_000);

  it('HTTPS through the VIP is served while the VIP moves to lb2 (at most the connection in flight reset)', async () => {
    const recs = await probed(async () => {
      await promote('lb2');
      await new Promise((r) => setTimeout(r, 1000));
    });
    expect(recs.length).toBeGreaterThan(20);
    expectMadeBeforeBroken(recs, 1);
  }, 30_000);

  it('a renewal ordered while the VIP moves back validates and rolls out, HTTPS served throughout (at most one reset at the move)', async () => {
    const before = await certificate();
    let after: Cert | undefined;
    const recs = await probed(async () => {
      const renewal = env!.api.mutate<Cert & { revision: number }>('certificates.renewNow', { id: before.id });
      await promote('lb1');
      const r = await renewal;
      after = r;
      expect(r.lastError).toBeNull();
      await waitRevisionApplied(env!.api, clusterId, r.revision);
      await new Promise((res) => setTimeout(res, 500));
    });
    expect(after!.fingerprintSha256).not.toBe(before.fingerprintSha256);
    expectMadeBeforeBroken(recs, 1);
    expect(recs.at(-1)!.fp).toBe(fp(after!.fingerprintSha256));
  }, 40_000);
});
