/**
 * systemd's RuntimeDirectory= (colon-separated when several; the first is used) as an absolute
 * path, or undefined. Read without zod (config/env.ts validates the same variable for main.ts):
 * the start-up replay needs it before the agent's modules are evaluated.
 */
export function runtimeDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const first = env.RUNTIME_DIRECTORY?.split(':')[0];
  return first?.startsWith('/') ? first : undefined;
}
