/** The demo launcher's environment, validated (the only place it reads process.env). */
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** `0` serves the dashboard alone even as root. */
  KEEPWATCH_DEMO: z.enum(['0', '1']).default('1'),
  DATABASE_URL: z.string().optional(),
  KEEPWATCH_DATA_DIR: z.string().optional(),
});

export type DemoEnv = z.infer<typeof EnvSchema>;

export function loadDemoEnv(env: NodeJS.ProcessEnv = process.env): DemoEnv {
  const r = EnvSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

/** The environment the dashboard process inherits. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}
