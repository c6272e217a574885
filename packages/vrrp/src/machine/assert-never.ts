/** Exhaustiveness guard for closed unions: a new member that is not handled fails to compile. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
