// The agent's modules, for the integration tests and the composition root.
export { loadNative, type NativeNet, type RawPacket, type InterfaceInfo } from './transport/native.js';
export { VrrpSocket, type VrrpSocketOptions } from './transport/vrrp-socket.js';
export { watchPidExit } from './process/pid-watch.js';
export { HealthScheduler, type CheckResult } from './health/scheduler.js';
export type { Check, CheckOutcome } from './health/check.js';
export { nginxSupervision, type NginxSupervisionOptions } from './health/kinds/nginx.js';
export { runScript, lookupUser } from './health/kinds/script.js';
export { httpCheck } from './health/kinds/http.js';
export { tcpCheck } from './health/kinds/tcp.js';
export { processCheck, pidAlive, readPidFile } from './health/kinds/process.js';
export { NginxApplier, type ApplyResult } from './nginx/apply.js';
export { writeAtomic } from './state/files.js';
export { realNginxExec, type NginxExec, type NginxPaths } from './nginx/exec.js';
