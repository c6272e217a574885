import { readFileSync } from 'node:fs';
import type { CheckOutcome } from '../check.js';
import { forkLauncher, type ScriptLauncher } from './script-launch.js';

/** A user's uid and gid from /etc/passwd, or an error naming the user. */
export function lookupUser(name: string, passwd = '/etc/passwd'): { uid: number; gid: number } {
  for (const line of readFileSync(passwd, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`check user ${JSON.stringify(name)} does not exist`);
}

/** Largest part of a script's output kept for the report. */
const MAX_OUTPUT = 4096;
const OUTPUT_GRACE_MS = 50;

/**
 * Runs a check script: argv as given (no shell unless the admin wrote a shell line, which the
 * caller turns into `['/bin/sh', '-c', line]`), in its own process group, as `user` when given.
 * Exit 0 is OK (the keepalived idiom). On abort (the timeout) the whole group is SIGKILLed, so a
 * script's children die with it. `launch` starts it (script-launch.ts: the agent's vfork, or a fork).
 */
export function runScript(
  argv: readonly string[],
  signal: AbortSignal,
  opts: { user?: { uid: number; gid: number }; env?: NodeJS.ProcessEnv; launch?: ScriptLauncher } = {},
): Promise<CheckOutcome> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.resolve({ ok: false, detail: 'empty argv' });
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    const child = (opts.launch ?? forkLauncher)([cmd, ...args], {
      user: opts.user,
      env: opts.env ?? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    const collect = (c: Buffer) => {
      if (output.length < MAX_OUTPUT) output += c.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    for (const stream of child.output) stream.on('data', collect);
    // Counted from the start: a pipe may close before the exit is reported.
    let open = child.output.length;
    let allClosed: (() => void) | null = null;
    for (const stream of child.output)
      stream.once('close', () => {
        if (--open === 0) allClosed?.();
      });
    const killGroup = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const closeOutput = () => {
      for (const stream of child.output) stream.destroy();
    };
    const onAbort = () => {
      killGroup();
      finish({ ok: false, timedOut: true, detail: `timed out; killed${output ? `: ${output.trim()}` : ''}` });
    };
    const finish = (o: CheckOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      closeOutput();
      resolve(o);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    // The exit status decides. Output is read until the pipes close, but a daemon the script
    // started may hold them open for ever: wait for that at most OUTPUT_GRACE_MS after exit.
    child.exited.then(
      ({ code, signal: sig }) => {
        const report = () => {
          const text = output.trim();
          const exit = code === null ? {} : { exitCode: code };
          if (code === 0) finish({ ok: true, ...exit, ...(text ? { detail: text } : {}) });
          else
            finish({
              ok: false,
              ...exit,
              detail: `${sig ? `killed by ${sig}` : `exit ${code}`}${text ? `: ${text}` : ''}`,
            });
        };
        if (open === 0) return report();
        const grace = setTimeout(report, OUTPUT_GRACE_MS);
        allClosed = () => {
          clearTimeout(grace);
          report();
        };
      },
      (e: Error) => finish({ ok: false, detail: `cannot run ${cmd}: ${e.message}` }),
    );
  });
}
