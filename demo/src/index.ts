// The demo's pieces for the full-system test (run from TypeScript sources; the demo is not built).
export { DashboardApi } from './api.js';
export { DEMO_CLUSTER, startDemoLab, type DemoLab } from './demo-lab.js';
export { launchMode, type LaunchMode } from './mode.js';
