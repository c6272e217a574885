/** Whether `npm start` brings up the demo cluster, and if not, the sentence that says why. */
export type LaunchMode = { demo: true } | { demo: false; reason: string };

/**
 * @param o.uid - the process's user id (the lab needs root for network namespaces).
 * @param o.demoEnv - KEEPWATCH_DEMO.
 * @param o.databaseUrl - DATABASE_URL (the demo resets its database, so never on a real one).
 */
export function launchMode(o: {
  uid: number | undefined;
  demoEnv: '0' | '1';
  databaseUrl?: string | undefined;
}): LaunchMode {
  if (o.uid !== 0)
    return {
      demo: false,
      reason: 'not running as root: the demo cluster needs network namespaces, so the dashboard starts alone',
    };
  if (o.databaseUrl)
    return {
      demo: false,
      reason: 'DATABASE_URL is set: the demo (which resets its database) is off; the dashboard starts alone',
    };
  if (o.demoEnv === '0') return { demo: false, reason: 'KEEPWATCH_DEMO=0: the dashboard starts alone' };
  return { demo: true };
}
