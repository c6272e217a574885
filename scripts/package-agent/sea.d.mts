// Types of sea.mjs for the TypeScript tests and benchmarks that find the executable.
export declare const NODE_RUNTIME: string;
export declare function executablePath(root: string, version: string): string;
export declare function buildExecutable(opts: {
  root: string;
  version: string;
  entry: string;
  addon: string;
}): Promise<string>;
