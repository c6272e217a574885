/**
 * The `keepwatch-dashboard` command line, parsed (pure; cli.ts runs it). Validated with zod: an
 * unknown command or option, a missing or bad --username, or two commands are usage errors.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsernameSchema } from './services/users';

export const USAGE = `usage: keepwatch-dashboard [serve | migrate | create-admin --username NAME | --version | --help]
  serve         serve the dashboard (default); configuration from the environment
  migrate       apply the database migrations, then exit
  create-admin  create the first admin; password from KEEPWATCH_ADMIN_PASSWORD or the first line of stdin`;

const ArgsSchema = z.discriminatedUnion('command', [
  z.strictObject({ command: z.literal('serve') }),
  z.strictObject({ command: z.literal('migrate') }),
  z.strictObject({ command: z.literal('create-admin'), username: UsernameSchema }),
  z.strictObject({ command: z.literal('version') }),
  z.strictObject({ command: z.literal('help') }),
]);
export type CliArgs = z.infer<typeof ArgsSchema>;

/** Parses the command line (pure): the command, or the problems to print under the usage. */
export function parseCli(argv: string[]): { ok: true; args: CliArgs } | { ok: false; problems: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        username: { type: 'string' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return { ok: false, problems: [(e as Error).message] };
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) return { ok: false, problems: [`one command expected, got: ${positionals.join(' ')}`] };
  const { version, help, ...rest } = values;
  const command = help ? 'help' : version ? 'version' : (positionals[0] ?? 'serve');
  const r = ArgsSchema.safeParse({ command, ...rest });
  if (r.success) return { ok: true, args: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) =>
      i.code === 'invalid_union'
        ? `unknown command "${command}"`
        : i.code === 'unrecognized_keys'
          ? `${i.keys.map((k) => `--${k}`).join(', ')} is not an option of ${command}`
          : i.path[0] && (rest as Record<string, unknown>)[String(i.path[0])] === undefined
            ? `--${String(i.path[0])} is required for ${command}`
            : `--${i.path.join('.')}: ${i.message}`,
    ),
  };
}
