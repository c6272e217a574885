/** What test/global-setup.ts provides to the test files (vitest `inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    pg: { socketDir: string; port: number };
  }
}
export {};
