#!/usr/bin/env node
// `npm test`: the whole suite on a fresh clone. Installs what is missing (Debian packages through
// scripts/setup.sh), then runs build, typecheck, lint and the unit tests of every package through
// turbo, then the integration tests (real nginx, keepalived, PostgreSQL, Chromium in network
// namespaces) after them, two files at a time among themselves (tests/vitest.config.ts: what a lab
// host runs is niced first, so VRRP timing does not suffer from the file beside it).
// The agent's packages are built by the first integration file that needs them, not beside the
// unit tests: on two cores that build (120 MiB compressed twice) doubled the web unit tests' time
// (a turbo phase of 393 s against ~200), more than the minute it costs the one-at-a-time phase.
// It ends with one line summed from every runner's real results: `N passed, N failed, N skipped`.
// A build, typecheck or lint task that fails, or a test run that fails without a failed test
// (a crash, a global-teardown leak check), counts as one failure each.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  NEXT_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR,
};
const INTEGRATION = '@keepwatch/tests';

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

function workspaces() {
  const out = [];
  for (const group of ['apps', 'packages', '.']) {
    const dirs = group === '.' ? ['tests', 'bench'] : readdirSync(join(root, group)).map((d) => join(group, d));
    for (const d of dirs) {
      const pj = join(root, d, 'package.json');
      if (existsSync(pj)) out.push({ dir: join(root, d), name: JSON.parse(readFileSync(pj, 'utf8')).name });
    }
  }
  return out;
}

function newestSummary(before) {
  const dir = join(root, '.turbo', 'runs');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
    .filter((f) => !before.has(f));
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0] ? JSON.parse(readFileSync(files[0], 'utf8')) : null;
}

function existingSummaries() {
  const dir = join(root, '.turbo', 'runs');
  return new Set(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

const ws = workspaces();
for (const w of ws) rmSync(join(w.dir, '.cache', 'vitest-report.json'), { force: true });

if (run('bash', ['scripts/setup.sh']) !== 0) {
  problems.push('scripts/setup.sh failed');
  failed++;
}

const taskExit = new Map();
for (const [label, args] of [
  [
    'unit',
    [
      'turbo',
      'run',
      'build',
      'typecheck',
      'lint',
      'lint:format',
      'test',
      '--continue',
      '--summarize',
      '--output-logs=new-only',
      `--filter=!${INTEGRATION}`,
    ],
  ],
  [
    'integration',
    ['turbo', 'run', 'test', '--continue', '--summarize', '--output-logs=full', `--filter=${INTEGRATION}`],
  ],
]) {
  const before = existingSummaries();
  const status = run('npx', args);
  const summary = newestSummary(before);
  if (!summary) {
    problems.push(`turbo (${label}) wrote no run summary (exit ${status})`);
    failed++;
    continue;
  }
  for (const t of summary.tasks ?? []) {
    const code = t.execution?.exitCode;
    if (code === undefined || code === null) continue;
    taskExit.set(t.taskId, code);
  }
}

for (const [taskId, code] of taskExit) {
  const [pkg, task] = taskId.split('#');
  if (task === 'test') {
    const w = ws.find((x) => x.name === pkg);
    const report = w && join(w.dir, '.cache', 'vitest-report.json');
    let counted = false;
    let failedHere = 0;
    if (report && existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      passed += r.numPassedTests ?? 0;
      failedHere = r.numFailedTests ?? 0;
      failed += failedHere;
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      counted = true;
    }
    if (code !== 0 && failedHere === 0) {
      problems.push(
        `${taskId} exited ${code}${counted ? ' with no failed test (suite error or teardown check)' : ' without a report'}`,
      );
      failed++;
    }
  } else if (code !== 0) {
    problems.push(`${taskId} failed (exit ${code})`);
    failed++;
  }
}

console.log('');
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
