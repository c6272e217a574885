/** Prepares (once per commit, under .cache/) the previous release's control plane; returns its folder (run `node --import tsx server.ts` there). */
export declare function previousDashboard(root: string, commit?: string): string;
