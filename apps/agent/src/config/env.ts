import { z } from 'zod';

/** The agent's environment: only systemd's variables and the log level (the rest is the config file). */
const EnvSchema = z.object({
  NOTIFY_SOCKET: z.string().min(1).max(107).optional(),
  WATCHDOG_USEC: z.coerce.number().int().positive().optional(),
  KEEPWATCH_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
  /** systemd's RuntimeDirectory= (colon-separated when several): where the executable unpacks its addon. */
  RUNTIME_DIRECTORY: z.string().min(1).optional(),
});

export type AgentEnv = z.infer<typeof EnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): AgentEnv {
  const r = EnvSchema.safeParse(env);
  if (!r.success)
    throw new Error(`environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
