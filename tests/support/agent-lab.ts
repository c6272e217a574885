/** The agent-in-the-lab helpers moved to @keepwatch/lab (the demo uses them too); re-exported for the tests. */
export {
  AGENT_BIN,
  referenceSpec,
  agentConfig,
  LabAgent,
  throughVip,
  waitServed,
  startReferenceAgents,
  bridgePort,
  type ReferenceSpecOptions,
  type PortBridge,
} from '@keepwatch/lab';
