// The simulation's public names (re-exported by the package index).
export { SimNetwork, ShellContractError, routerPriority } from './network.js';
export type { LinkConditions, SimOptions, SimRouterView, SimStats } from './types.js';
export { runScenario, chosenMaster, settleTimeMs } from './scenario.js';
export type { Scenario, ScenarioOp, ScenarioResult } from './scenario.js';
export { SeededRng } from './prng.js';
export { FakeClock } from './fake-clock.js';
