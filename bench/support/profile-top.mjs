// Summarises a V8 CPU profile (node --cpu-prof) over a time window: the functions with the most
// self time, and the most inclusive time by package/file, to find a hot spot without a UI.
//
//   node bench/support/profile-top.mjs FILE.cpuprofile [--from-end S] [--length S] [--top N]
//
// The window is [end - from-end, end - from-end + length] seconds of the profile's own clock
// (e.g. the benchmark's measurement window, which ends right before the dashboard is stopped).
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
const opt = (n, d) => {
  const i = rest.indexOf(`--${n}`);
  return i >= 0 ? Number(rest[i + 1]) : d;
};
const fromEnd = opt('from-end', 65);
const length = opt('length', 60);
const top = opt('top', 25);
const p = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const end = p.endTime;
const lo = end - fromEnd * 1e6;
const hi = lo + length * 1e6;
let t = p.startTime;
const self = new Map();
const byFile = new Map();
let total = 0;
let idle = 0;
const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm:')
    .replace(/.*\/apps\/web\//, 'web:');
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i];
  if (t < lo || t > hi) continue;
  const dt = p.timeDeltas[i];
  const n = nodes.get(p.samples[i]);
  const cf = n.callFrame;
  total += dt;
  if (cf.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  const key = `${cf.functionName || '(anon)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  // Inclusive time per file: each file once per sample, anywhere on the stack.
  const seen = new Set();
  for (let id = n.id, g = 0; id !== undefined && g < 500; id = parent.get(id), g++) {
    const f = short(nodes.get(id).callFrame.url) || nodes.get(id).callFrame.functionName;
    if (!seen.has(f)) {
      seen.add(f);
      byFile.set(f, (byFile.get(f) ?? 0) + dt);
    }
  }
}
const ms = (x) => (x / 1000).toFixed(0).padStart(7);
console.log(
  `window ${length} s ending ${fromEnd - length} s before the profile's end: ${ms(total)} ms sampled, ${ms(total - idle)} ms busy (${((total - idle) / (length * 1e6)).toFixed(3)} of a core on the main thread)`,
);
console.log('\nself time:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms  ${k}`);
console.log('\ninclusive time by file:');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms  ${k}`);
