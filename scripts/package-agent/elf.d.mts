// Types of elf.mjs for the TypeScript tests that reuse it.
export declare const HOST_FLOOR: { GLIBC: string; GLIBCXX: string; CXXABI: string };
export declare function compareVersions(a: string, b: string): number;
export declare function requiredVersions(file: string): Record<string, string[]>;
export declare function maxGlibc(file: string): string | null;
export declare function newerThanFloor(file: string, floor?: Record<string, string>): string[];
