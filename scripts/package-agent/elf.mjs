// What an ELF file needs from the C and C++ runtime of the host it runs on: the symbol versions it
// references (readelf's version-needs section, `.gnu.version_r`). The executable must run on
// RHEL 8, whose glibc is 2.28 and whose libstdc++ (GCC 8) provides GLIBCXX up to 3.4.25.
import { execFileSync } from 'node:child_process';

/** The newest versions RHEL 8 (and so every host this project supports) provides. */
export const HOST_FLOOR = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11' };

/** Compares dotted version numbers part by part, as numbers: 2.3 < 2.28 < 2.28.1. */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The symbol versions an ELF file requires, grouped by prefix: `{ GLIBC: ['2.2.5', …], GLIBCXX: […] }`,
 * each list sorted oldest first. Uses `readelf -V` (binutils), which lists what the dynamic linker
 * will check — the same set `objdump -T` shows against undefined symbols.
 */
export function requiredVersions(file) {
  // stderr piped: readelf warns about the note section postject adds, which is not our concern here.
  const text = execFileSync('readelf', ['-V', '--wide', file], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const at = text.indexOf("Version needs section '.gnu.version_r'");
  if (at < 0) return {};
  const needs = text.slice(at);
  const out = {};
  for (const m of needs.matchAll(/Name: ([A-Z]+)_([0-9][0-9.]*)/g)) {
    (out[m[1]] ??= new Set()).add(m[2]);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort(compareVersions)]));
}

/** The newest `GLIBC_` version an ELF file requires ('2.28'), or null when it needs none. */
export function maxGlibc(file) {
  return requiredVersions(file).GLIBC?.at(-1) ?? null;
}

/**
 * Every requirement of `file` newer than `floor` (default: RHEL 8), as readable strings
 * ('GLIBC_2.34'); empty when the file runs there.
 */
export function newerThanFloor(file, floor = HOST_FLOOR) {
  const req = requiredVersions(file);
  return Object.entries(floor).flatMap(([prefix, max]) =>
    (req[prefix] ?? []).filter((v) => compareVersions(v, max) > 0).map((v) => `${prefix}_${v}`),
  );
}
