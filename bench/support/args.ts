/**
 * The benchmarks' command line: `npm run bench -- <name> [--option value]…` (bench/run.mjs passes
 * the options on).
 */

/** The value after `--name`, if given. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name` as a number ≥ 0, `fallback` when not given; anything else stops the run before a lab starts. */
export function numberArg(name: string, fallback: number): number {
  const given = arg(name);
  const v = given === undefined ? fallback : Number(given);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} wants a number ≥ 0, not ${given}`);
  return v;
}

/** `--name` as a comma-separated list, `fallback` when not given. */
export function listArg(name: string, fallback: string): string[] {
  return (arg(name) ?? fallback).split(',');
}
