import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupUser, runScript as run } from './script.js';
import { forkLauncher, scriptLauncher, vforkLauncher, type ScriptLauncher } from './script-launch.js';
import { pidAlive } from './process.js';
import { loadNative } from '../../transport/native.js';

const never = new AbortController().signal;
const net = loadNative();

it('the agent runs scripts with its vfork launcher where the kernel has pidfd', () => {
  expect(scriptLauncher(net)).not.toBe(forkLauncher);
});

describe.each<[string, ScriptLauncher]>([
  ['fork (libuv)', forkLauncher],
  ['vfork (addon)', vforkLauncher(net)],
])('script checks, %s', (_name, launch) => {
  const runScript = (argv: string[], signal: AbortSignal, opts: Parameters<typeof run>[2] = {}) =>
    run(argv, signal, { ...opts, launch });

  it('is OK when the script exits 0', async () => {
    expect((await runScript(['/bin/true'], never)).ok).toBe(true);
  });

  it('fails with the exit status and output when the script exits non-zero', async () => {
    const r = await runScript(['/bin/sh', '-c', 'echo broken >&2; exit 3'], never);
    expect(r).toEqual({ ok: false, exitCode: 3, detail: 'exit 3: broken' });
  });

  it('passes arguments without a shell', async () => {
    const r = await runScript(['/bin/echo', '$HOME; rm -rf /'], never);
    expect(r).toEqual({ ok: true, exitCode: 0, detail: '$HOME; rm -rf /' });
  });

  it('kills the whole process group on timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-script-'));
    const pidFile = join(dir, 'child.pid');
    const abort = new AbortController();
    const running = runScript(['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], abort.signal);
    const deadline = Date.now() + 3000;
    let childPid = 0;
    while (!childPid && Date.now() < deadline) {
      try {
        childPid = Number((await import('node:fs')).readFileSync(pidFile, 'utf8'));
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    abort.abort();
    const r = await running;
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/timed out/);
    expect(r.timedOut).toBe(true);
    const gone = Date.now() + 3000;
    while (pidAlive(childPid) && Date.now() < gone) await new Promise((res) => setTimeout(res, 10));
    expect(pidAlive(childPid)).toBe(false);
  });

  it('fails clearly when the program does not exist', async () => {
    const r = await runScript(['/nonexistent/check'], never);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/cannot run \/nonexistent\/check/);
  });

  it('runs the script as the check user, without supplementary groups', async () => {
    const r = await runScript(['/bin/sh', '-c', 'echo $(id -u) $(id -g) $(id -G)'], never, {
      user: { uid: 65534, gid: 65534 },
    });
    expect(r).toEqual({ ok: true, exitCode: 0, detail: '65534 65534 65534' });
  });

  it('finds a bare command on PATH and reports a signal that killed the script', async () => {
    expect((await runScript(['true'], never)).ok).toBe(true);
    const r = await runScript(['/bin/sh', '-c', 'kill -TERM $$'], never);
    expect(r).toEqual({ ok: false, detail: 'killed by SIGTERM' });
  });

  it('starts the script with default signal handling (the agent ignores SIGPIPE; a script must not)', async () => {
    const r = await runScript(['/bin/sh', '-c', 'grep SigIgn /proc/self/status'], never);
    expect(r.detail).toBe('SigIgn:\t0000000000000000');
  });

  it('resolves a check user from the passwd file and names an unknown one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-passwd-'));
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n');
    expect(lookupUser('nobody', join(dir, 'passwd'))).toEqual({ uid: 65534, gid: 65534 });
    expect(() => lookupUser('ghost', join(dir, 'passwd'))).toThrow(/"ghost" does not exist/);
  });
});
