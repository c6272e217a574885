export { Lab, type Host, type HostSpec, type LabOptions, type Spawned } from './lab.js';
export { LabNginx } from './nginx.js';
export { LabKeepalived } from './keepalived.js';
export { keepalived24, keepwatchCacheDir, KEEPALIVED_24_VERSION } from './keepalived24.js';
export { LabSshd, forwardToLabHost, SSHD_BINARY, type LabForward } from './sshd.js';
export { startBackend } from './backend.js';
export {
  startProbe,
  summariseProbe,
  endedBySwitch,
  inFlightAt,
  type Probe,
  type ProbeOptions,
  type ProbeRecord,
  type ProbeSummary,
} from './probe.js';
export { waitFor, type WaitOptions } from './poll.js';
export { run, runOk, type ExecResult } from './exec.js';
export { isAlive, signal, procStartTime } from './proc.js';
export { sweepDeadRuns, leftovers, removeLeftovers, namespacePids } from './sweep.js';
export { LAB_ROOT } from './marker.js';
export { bootSystemd, type SystemdContainer, type SystemdOptions } from './systemd.js';
export { assetPath } from './assets.js';
export { REF, referenceLab, mapTutorialAddresses } from './reference-topology.js';
export {
  seedFixture,
  referenceNginxSite,
  referenceKeepalivedConf,
  referenceKeepalived,
  checkNginxScript,
} from './reference-keepalived.js';
export {
  AGENT_BIN,
  agentConfig,
  LabAgent,
  waitAgentStarted,
  throughVip,
  waitServed,
  startReferenceAgents,
  bridgePort,
  bridgeUnixSocket,
  type PortBridge,
} from './agent.js';
export { referenceHosts, referenceSpec, type ReferenceHosts, type ReferenceSpecOptions } from './reference-spec.js';
export { startSingleLbLab } from './single-lb.js';
export { startEnrolledAgents, waitRevisionApplied, type DashboardClient, type EnrolledAgents } from './enrolled.js';
export { PG_BIN, pgUrl, startTestPostgres, type TestPostgres } from './postgres.js';
export { freePort } from './port.js';
export { stopChild } from './child.js';
export * from './chaos/index.js';
export { startReferenceWebTier } from './web-tier.js';
export { dashboardLogin, spawnDashboardServer } from './dashboard-server.js';
