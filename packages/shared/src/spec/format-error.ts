import type { z } from 'zod';

/**
 * Renders zod issues as one `path: message` line each, for the CLI and the UI. The path is
 * dotted (`vrrpInstances.0.vips.1.address`); an issue on the root is shown as `(root)`.
 *
 * @param error - a `ZodError`, or its `issues` array.
 * @returns the lines joined with `\n`, in zod's order.
 */
export function formatZodError(error: z.ZodError | readonly z.core.$ZodIssue[]): string {
  return formatZodIssues(Array.isArray(error) ? error : (error as z.ZodError).issues).join('\n');
}

/**
 * The lines of {@link formatZodError}, one per issue.
 *
 * @param issues - zod issues.
 * @returns `path: message` strings.
 */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length === 0 ? '(root)' : i.path.map(String).join('.')}: ${i.message}`);
}
