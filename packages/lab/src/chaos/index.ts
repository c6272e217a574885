export * from './schedule.js';
export * from './observer.js';
export { chaosSpec, startChaosCluster, CHAOS_LBS, CHAOS_ADDR, type ChaosCluster } from './cluster.js';
export { startChaosPlane, type ChaosPlane } from './plane.js';
export { injectFault, type MutationCounts } from './faults.js';
export { runChaos, type ChaosOptions, type ChaosReport } from './run.js';
