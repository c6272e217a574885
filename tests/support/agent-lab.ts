/** The agent-in-the-lab helpers live in @keepwatch/lab: import them from there (this re-export is kept for older imports). */
export * from '@keepwatch/lab';
