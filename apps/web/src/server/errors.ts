/**
 * The web app's one error type (STYLE §D22). Services throw `AppError`; the tRPC layer maps its
 * code to a tRPC code in one place (trpc.ts). `field` names the input field at fault, so a form
 * can put the message beside it.
 */
export type AppErrorCode =
  'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'INTERNAL';

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly field: string | undefined;

  constructor(code: AppErrorCode, opts: { message: string; userMessage?: string; field?: string; cause?: unknown }) {
    super(opts.field ? `${opts.field}: ${opts.message}` : opts.message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = opts.userMessage ?? this.message;
    this.field = opts.field;
  }
}

/** The edit was based on an older version than the stored one: reload and redo it. */
export function staleVersion(what: string, sent: number, current: number): AppError {
  return new AppError('CONFLICT', {
    field: 'version',
    message: `${what} was changed by someone else (you edited version ${sent}, it is now at version ${current}); reload and try again`,
  });
}

export function notFound(what: string, field = 'id'): AppError {
  return new AppError('NOT_FOUND', { field, message: `${what} not found` });
}
