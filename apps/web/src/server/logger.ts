import pino, { type Logger } from 'pino';

export type { Logger };

/** The dashboard's root logger (pino JSON). Secrets that could reach a log line are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'keepwatch-web' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'credential', '*.credential', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
