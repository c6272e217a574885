/** The last release that landed: its agent is built from this commit. */
export declare const PREVIOUS_RELEASE: string;
/** Builds (once per commit, under .cache/) and returns the path of the previous release's agent bundle. */
export declare function previousAgent(root: string, commit?: string): Promise<string>;
/** A new folder under root's .cache/ to build `what` of `commit` in; throws when the commit is not in the history. */
export declare function workFolder(root: string, commit: string, what: string): string;
