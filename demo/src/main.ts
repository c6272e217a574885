/**
 * `npm start`: the dashboard on the embedded database and — when run as root — the demo cluster
 * in network namespaces, enrolled through the agents' real enrollment path. Prints the URL and a
 * generated first-admin password (shown once). Ctrl-C tears everything down; a second Ctrl-C
 * exits at once. Not root: says why and serves the dashboard alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REF } from '@keepwatch/lab';
import { onStopSignals } from '@keepwatch/shared/signals';
import { DashboardApi } from './api.js';
import { startDashboardProcess, waitAnswering, WEB_DIR, type DashboardProcess } from './dashboard.js';
import { DEMO_CLUSTER, startDemoLab, type DemoLab } from './demo-lab.js';
import { inheritedEnv, loadDemoEnv } from './env.js';
import { launchMode } from './mode.js';

const say = (line: string) => process.stdout.write(`[keepwatch] ${line}\n`);
const env = loadDemoEnv();
const mode = launchMode({ uid: process.getuid?.(), demoEnv: env.KEEPWATCH_DEMO, databaseUrl: env.DATABASE_URL });
const url = `http://localhost:${env.PORT}`;

let dashboard: DashboardProcess | undefined;
let lab: DemoLab | undefined;
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    if (lab) say('stopping the demo lab …');
    await lab?.teardown();
    await dashboard?.stop();
    say('stopped');
    process.exit(code);
  })();
  return stopping;
}

// A terminal's Ctrl-C reaches every process of the foreground group, and tsx also relays it to
// this process: the shared helper treats only a signal a moment after the first as the impatient
// second Ctrl-C.
onStopSignals(process, {
  onFirst: () => void stop(0),
  onSecond: () => {
    // Do not wait for the graceful teardown (the next start sweeps the rest).
    dashboard?.child.kill('SIGKILL');
    process.exit(130);
  },
});

if (!mode.demo) {
  say(mode.reason);
  dashboard = startDashboardProcess(inheritedEnv());
  void dashboard.exited.then((code) => stop(code ?? 1));
} else {
  // The demo's data is its own and starts empty each time, so the password printed below is
  // always the one that works; the dashboard's own data folder (.keepwatch/data) is untouched.
  const dataDir = env.KEEPWATCH_DATA_DIR ?? join(WEB_DIR, '.keepwatch', 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(15).toString('base64url');
  const logFile = join(dataDir, 'dashboard.log');
  dashboard = startDashboardProcess(
    {
      ...inheritedEnv(),
      KEEPWATCH_DATA_DIR: join(dataDir, 'db'),
      KEEPWATCH_ADMIN_USERNAME: 'admin',
      KEEPWATCH_ADMIN_PASSWORD: password,
    },
    logFile,
  );
  void dashboard.exited.then((code) => {
    if (!stopping) say(`the dashboard exited (code ${code}); its log: ${logFile}`);
    void stop(code ?? 1);
  });
  try {
    say(`starting the dashboard (log: ${logFile}) …`);
    const local = `http://127.0.0.1:${env.PORT}`;
    await waitAnswering(local, dashboard);
    const api = new DashboardApi(local);
    await api.login('admin', password);
    say('starting the demo lab: lb1 and lb2 (keepwatch-agent + nginx), web1, web2, client …');
    lab = await startDemoLab(api, env.PORT, say);
    say('');
    say(`Keepwatch is running: ${url}`);
    say(`  sign in as admin / ${password}   (generated for this run; shown once)`);
    say(
      `  cluster "${DEMO_CLUSTER}": VIP ${REF.vip} on lb1, VRID 51, priorities 100/80, the client sends 2 requests/s through it`,
    );
    say('  try: move the VIP to lb2, then edit the pool "webs"');
    say('Ctrl-C stops the dashboard and removes the lab.');
  } catch (err) {
    say(`the demo could not start: ${(err as Error).message}`);
    await stop(1);
  }
}
