// The machine's public names (re-exported by the package index).
export { initialState, step, nextDeadline, advertFor } from './instance.js';
export { reconfigure, restartNeeded, handOver, RESTART_SETTINGS, PREVIOUS_ACCEPTED_MS } from './reconfigure.js';
export { effectivePriority, faultCause } from './priority.js';
export { skewTime, masterDownInterval } from './timers.js';
export {
  resolveConfig,
  DEF_GARP_MASTER_DELAY_MS,
  DEF_GARP_MASTER_REPEAT,
  DEF_GARP_MASTER_REFRESH_REPEAT,
  PRIORITY_OWNER,
  PRIORITY_PROMOTED,
  PRIORITY_STOP,
} from './config.js';
export type { InstanceConfig, ResolvedConfig, TrackedCheck, AdvertAuth } from './config.js';
export type { Event, AdminCommand } from './events.js';
export { VRRP_STATES } from './actions.js';
export type { Action, VrrpState, TransitionReason, AdminRefusal, AdvertWarning } from './actions.js';
export type { InstanceState, HeardMaster, PreviousAccepted } from './state.js';
export type { StepResult } from './transition.js';
