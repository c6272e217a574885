import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The agent's logger: pino JSON on stdout (journald keeps it). Secrets never reach a log line:
 * v2 passwords, agent tokens and SSH keys are redacted wherever they appear in a logged object.
 */
export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      name: 'keepwatch-agent',
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      redact: {
        paths: [
          'authPass',
          '*.authPass',
          '*.*.authPass',
          'auth.password',
          '*.auth.password',
          'token',
          '*.token',
          'privateKey',
          '*.privateKey',
          'authData',
          '*.authData',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? process.stdout,
  );
}
