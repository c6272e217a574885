import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  LabSshd,
  REF,
  forwardToLabHost,
  isAlive,
  signal,
  waitFor,
  type LabForward,
  referenceSpec,
} from '@keepwatch/lab';
import { packageAgent } from './package-agent.js';
import { launchChromium, signIn } from '../support/browser.js';
import { importCluster, lb1AndClientLab, startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { ADMIN } from '../support/dashboard.js';
import type { TrpcHttp } from '../support/trpc-http.js';
import { workFolder } from '../support/work-folder.js';

const exec = promisify(execFile);
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

type Line = { level: string; text: string };
type JobView = { state: 'running' | 'succeeded' | 'failed'; error: string | null; lines: Line[] };
type Refusal = { code: string; message: string; field: string | null };

/** One LB, VRRP only (no pools: nginx is left alone), so a bootstrapped agent becomes master. */
const SPEC = referenceSpec({ name: 'sshlab', lbs: 1, check: null, pools: false });

/**
 * SSH bootstrap end to end: a real OpenSSH sshd in a lab namespace (its own config, host key,
 * port and pid file; root may log in with the test's key only there), the dashboard in the root
 * namespace reaching it through a forwarded port, and the installed agent reaching the dashboard
 * through a unix socket. The host key is confirmed, the package is copied and installed into a
 * prefix of the test's own, the agent starts supervised and the node comes online; then the host
 * key is really replaced and the next connection is refused, naming both fingerprints.
 */
describe('node bootstrap over SSH', () => {
  let env: DashboardLab | undefined;
  let sshd: LabSshd | undefined;
  let forward: LabForward | undefined;
  const work = workFolder('keepwatch-ssh-');
  let prefix = '';
  let privateKey = '';
  let base = '';
  let api: TrpcHttp;
  let nodeId = '';
  let firstFingerprint = '';

  const call = <T>(path: string, input: unknown, mutation = false): Promise<T> =>
    mutation ? api.mutate<T>(path, input) : api.query<T>(path, input);
  const refusal = async (path: string, input: unknown): Promise<Refusal> => {
    const r = await api.call(path, input, { mutation: true });
    if (r.ok) throw new Error(`${path} was expected to be refused, and answered ${JSON.stringify(r.data)}`);
    return { code: r.error.data?.code ?? '?', message: r.error.message ?? '?', field: r.error.data?.field ?? null };
  };
  const target = () => ({ host: '127.0.0.1', port: forward!.port, username: 'root' });
  const serverUrl = () => `ws+unix://${env!.lab.unixSocketPath('hub')}:/agent`;
  const pidFile = () => join(prefix, 'run/keepwatch-agent.pid');
  /** bootstrap.start's input for lb1 through the forwarded sshd into the test's prefix, never through systemd. */
  const startInput = (more: Record<string, unknown>) => ({
    nodeId,
    target: target(),
    prefix,
    serverUrl: serverUrl(),
    systemd: 'never',
    ...more,
  });
  const keyAuth = () => ({ kind: 'key', privateKey });

  beforeAll(async () => {
    await packageAgent();
    prefix = join(work(), 'prefix');
    await exec('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'keepwatch-test',
      '-f',
      join(work(), 'id_ed25519'),
    ]);
    privateKey = readFileSync(join(work(), 'id_ed25519'), 'utf8');

    // The dashboard's port is reachable from the lab's namespaces through a unix socket (the bridge).
    env = await startDashboardLab({}, lb1AndClientLab);
    const { lab } = env;
    base = env.dashboard.base;
    api = env.api;

    sshd = new LabSshd(lab, 'lb1');
    sshd.authorize(readFileSync(join(work(), 'id_ed25519.pub'), 'utf8'));
    firstFingerprint = await sshd.generateHostKey();
    await sshd.start();
    forward = await forwardToLabHost(lab, 'lb1', 22);

    nodeId = (await importCluster(api, SPEC)).nodeIds.lb1!;
  }, 600_000);

  afterAll(async () => {
    // The supervisor (and through it the agent) by the pid in its pid file; the lab's teardown
    // then kills whatever else still runs in the namespace.
    const pid = existsSync(pidFile()) ? Number(readFileSync(pidFile(), 'utf8').trim()) : 0;
    if (pid > 0 && isAlive(pid)) {
      signal(pid, 'SIGTERM');
      await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: 'the supervisor to stop' }).catch(() =>
        signal(pid, 'SIGKILL'),
      );
    }
    await forward?.close();
    await sshd?.stop();
    await env?.stop();
  });

  it('the first connection only reports the host key, as ssh-keygen prints it, and nothing is installed before it is confirmed', async () => {
    const probe = await call<{ fingerprint: string; keyType: string; stored: unknown; matchesStored: boolean | null }>(
      'bootstrap.probe',
      { host: '127.0.0.1', port: forward!.port, nodeId },
      true,
    );
    expect(probe).toMatchObject({
      fingerprint: firstFingerprint,
      keyType: 'ssh-ed25519',
      stored: null,
      matchesStored: null,
    });
    const r = await refusal('bootstrap.start', startInput({ auth: keyAuth() }));
    expect(r.code).toBe('BAD_REQUEST');
    expect(r.field).toBe('confirmedFingerprint');
    expect(existsSync(prefix)).toBe(false);
    expect(sshd!.log()).not.toContain('Accepted publickey');
  });

  it('with the fingerprint confirmed it copies and installs the package into the prefix, starts the agent supervised, and the node comes online', async () => {
    const started = await call<{ jobId: string; hostKey: { fingerprint: string } }>(
      'bootstrap.start',
      startInput({ auth: keyAuth(), confirmedFingerprint: firstFingerprint }),
      true,
    );
    expect(started.hostKey.fingerprint).toBe(firstFingerprint);
    let job: JobView | undefined;
    await waitFor(
      async () =>
        (job = await call<JobView>('bootstrap.job', { jobId: started.jobId })).state !== 'running' ? true : undefined,
      { timeoutMs: 90_000, intervalMs: 500, what: 'the bootstrap job to finish' },
    );
    const text = job!.lines.map((l) => `${l.level}: ${l.text}`).join('\n');
    expect(job!.state, text).toBe('succeeded');
    // Progress names each step, in order, and ends with the node online.
    const steps = job!.lines.filter((l) => l.level === 'step').map((l) => l.text);
    expect(steps.map((s) => s.split(' ')[0])).toEqual([
      'connected',
      'checking',
      'copying',
      'writing',
      'running',
      'waiting',
    ]);
    expect(job!.lines.at(-1)).toMatchObject({ level: 'done' });
    expect(job!.lines.at(-1)!.text).toMatch(/^node lb1 is online: enrolled, agent \d+\.\d+\.\d+/);
    expect(text).toContain('keepwatch-agent: started (supervised, pid');

    // Installed into the test's prefix, config private, a supervisor with a pid file running the
    // bundled agent in the namespace.
    expect(readdirSync(prefix).sort()).toEqual(['bin', 'etc', 'lib', 'log', 'run', 'share', 'state', 'VERSION'].sort());
    const cfgPath = join(prefix, 'etc/agent.json');
    expect(statSync(cfgPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(cfgPath, 'utf8'))).toMatchObject({
      node: 'lb1',
      stateDir: join(prefix, 'state'),
      controlPlane: { url: serverUrl() },
    });
    const supervisor = Number(readFileSync(pidFile(), 'utf8').trim());
    expect(isAlive(supervisor)).toBe(true);
    env!.lab.track(supervisor, 'lb1:keepwatch-agent-supervise');
    expect(readFileSync(`/proc/${supervisor}/cmdline`, 'utf8')).toContain(
      join(prefix, 'bin/keepwatch-agent-supervise'),
    );

    // Enrolled and heard from; and it runs the cluster's revision: lb1 holds the VIP.
    const nodes = await call<{ id: string; enrolled: boolean }[]>('nodes.list', {
      clusterId: (await call<{ id: string }[]>('clusters.list', undefined))[0]!.id,
    });
    expect(nodes.find((n) => n.id === nodeId)?.enrolled).toBe(true);
    await env!.lab.waitForHolders(REF.vip, ['lb1'], 15_000);

    // The confirmed key is stored for the node; the private key was not asked to be kept.
    expect(await call('bootstrap.host', { nodeId })).toMatchObject({
      host: '127.0.0.1',
      username: 'root',
      fingerprint: firstFingerprint,
      keyType: 'ssh-ed25519',
      hasStoredKey: false,
    });
    // The temporary upload folder on the host is gone.
    expect(readdirSync('/tmp').some((f) => f.startsWith('keepwatch-bootstrap.'))).toBe(false);
  });

  it("after sshd's host key is really replaced, the next connection is refused loudly with both fingerprints and nothing reaches the host", async () => {
    const replaced = await sshd!.generateHostKey();
    await sshd!.restart();
    expect(replaced).not.toBe(firstFingerprint);
    const logBefore = sshd!.log().length;

    const probe = await call<{ fingerprint: string; matchesStored: boolean; stored: { fingerprint: string } }>(
      'bootstrap.probe',
      { host: '127.0.0.1', port: forward!.port, nodeId },
      true,
    );
    expect(probe).toMatchObject({
      fingerprint: replaced,
      matchesStored: false,
      stored: { fingerprint: firstFingerprint },
    });

    const r = await refusal('bootstrap.start', startInput({ auth: keyAuth() }));
    expect(r.code).toBe('CONFLICT');
    expect(r.message).toMatch(/HOST KEY CHANGED/);
    expect(r.message).toContain(firstFingerprint);
    expect(r.message).toContain(replaced);
    // Refused inside the key exchange: the key never signed anything for this host.
    expect(sshd!.log().slice(logBefore)).not.toContain('Accepted publickey');
    // The dashboard logged it as an error, and it is in the audit log.
    await waitFor(
      () => (env!.dashboard.log().includes('ssh host key changed: connection refused') ? true : undefined),
      {
        timeoutMs: 5000,
        what: 'the refusal in the dashboard log',
      },
    );
    const audit = await call<{ records: { action: string }[] }>('audit.list', { action: 'node.ssh' });
    const actions = audit.records.map((a) => a.action);
    expect(actions).toContain('node.ssh.host-key-refused');

    // Confirming the new key does not replace the stored one silently: it must be forgotten first.
    const again = await refusal('bootstrap.start', startInput({ auth: keyAuth(), confirmedFingerprint: replaced }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toContain(firstFingerprint);
    expect(await call('bootstrap.forgetHostKey', { nodeId }, true)).toEqual({ forgotten: true });
    expect(await call('bootstrap.host', { nodeId })).toBeNull();
  });

  it('once the new key is confirmed, a re-install replaces the running agent; a key kept on request is stored sealed and serves the next run', async () => {
    const replaced = await sshd!.fingerprint();
    const runJob = async (input: Record<string, unknown>): Promise<JobView> => {
      const { jobId } = await call<{ jobId: string }>('bootstrap.start', startInput(input), true);
      let job: JobView | undefined;
      await waitFor(
        async () => ((job = await call<JobView>('bootstrap.job', { jobId })).state !== 'running' ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 500, what: 'the bootstrap job to finish' },
      );
      return job!;
    };
    const oldSupervisor = Number(readFileSync(pidFile(), 'utf8').trim());
    const kept = await runJob({
      auth: { kind: 'key', privateKey },
      confirmedFingerprint: replaced,
      keepPrivateKey: true,
    });
    expect(kept.state, kept.lines.map((l) => l.text).join('\n')).toBe('succeeded');
    expect(isAlive(oldSupervisor)).toBe(false);
    const newSupervisor = Number(readFileSync(pidFile(), 'utf8').trim());
    env!.lab.track(newSupervisor, 'lb1:keepwatch-agent-supervise');
    expect(newSupervisor).not.toBe(oldSupervisor);
    expect(await call('bootstrap.host', { nodeId })).toMatchObject({ fingerprint: replaced, hasStoredKey: true });

    // The next run needs no key from the admin: the sealed one is opened and used.
    const fromStored = await runJob({ auth: { kind: 'stored' } });
    expect(fromStored.state, fromStored.lines.map((l) => l.text).join('\n')).toBe('succeeded');
    env!.lab.track(Number(readFileSync(pidFile(), 'utf8').trim()), 'lb1:keepwatch-agent-supervise');
    await env!.lab.waitForHolders(REF.vip, ['lb1'], 15_000);
  });

  it('in the browser, "Add node over SSH" shows the fingerprint, installs only once it is confirmed, and shows the progress until the node is online', async () => {
    // A first-time host again: the stored key is forgotten, so the page asks for a confirmation.
    expect(await call('bootstrap.forgetHostKey', { nodeId }, true)).toEqual({ forgotten: true });
    const fingerprint = await sshd!.fingerprint();
    const browser = await launchChromium();
    try {
      const page = await signIn(browser, base, ADMIN, { viewport: { width: 1280, height: 1000 } });
      await page.goto(`${base}/nodes/ssh`);
      await page.getByRole('heading', { name: 'Add node over SSH' }).waitFor();
      await page.getByLabel('Cluster').selectOption({ label: 'sshlab' });
      await page.getByLabel('Node', { exact: true }).selectOption({ label: 'lb1 (enrolled)' });
      await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(forward!.port));
      await page.getByLabel('User').fill('root');
      await page.getByRole('radio', { name: 'Private key' }).check();
      await page.getByRole('textbox', { name: 'Private key' }).fill(privateKey);
      await page.getByLabel('Install prefix').fill(prefix);
      await page.getByLabel('Dashboard URL (as the host reaches it)').fill(serverUrl());
      await page.getByLabel('Start with').selectOption('never');
      await page.getByRole('button', { name: 'Get host key' }).click();
      await expect.poll(() => page.getByTestId('ssh-fingerprint').textContent(), { timeout: 15_000 }).toBe(fingerprint);
      const install = page.getByRole('button', { name: 'Install and start the agent' });
      expect(await install.isDisabled()).toBe(true);
      await page.getByTestId('ssh-confirm').check();
      await install.click();
      await page.getByText('The node is online.').waitFor({ timeout: 90_000 });
      const log = await page.getByTestId('ssh-log').textContent();
      expect(log).toContain('copying the agent package');
      expect(log).toContain('node lb1 is online');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'ssh-bootstrap.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    env!.lab.track(Number(readFileSync(pidFile(), 'utf8').trim()), 'lb1:keepwatch-agent-supervise');
    expect(await call('bootstrap.host', { nodeId })).toMatchObject({ fingerprint, hasStoredKey: false });
  });
});
