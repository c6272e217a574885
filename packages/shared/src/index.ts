// The public API of @keepwatch/shared: re-exports only.
export * from './spec/grammar.js';
export * from './spec/cluster.js';
export * from './spec/vrrp-instance.js';
export * from './spec/checks.js';
export * from './spec/node-checks.js';
export * from './spec/proxy.js';
export * from './spec/proxy-host.js';
export * from './spec/tls.js';
export * from './spec/agent-config.js';
export * from './spec/format-error.js';
export {
  renderNginxConfig,
  renderNginxMain,
  renderNginxMainContext,
  nginxTime,
  workerShutdownTimeoutMs,
  DEF_WORKER_SHUTDOWN_TIMEOUT_MS,
} from './nginx/render.js';
export type { NginxMainOptions } from './nginx/render.js';
export type { NginxRenderOptions } from './nginx/render.js';
export { DEF_AUTH_DIR, htpasswdPath, renderHtpasswd, nginxSize } from './nginx/render-proxy-host.js';
export * from './nginx/build-info.js';
export { nginxFeatureIssues } from './nginx/features.js';
export type { NginxFeatureIssue, NginxFeatureSpec, SpecPath } from './nginx/features.js';
export { importNginxConfig } from './nginx/import.js';
export type { ImportNginxResult } from './nginx/import.js';
export { parseKeepalived, splitScriptCommand } from './keepalived/parse.js';
export type {
  KeepalivedStatement,
  KeepalivedParseIssue,
  IncludeReader,
  ParseKeepalivedOptions,
  ParseKeepalivedResult,
} from './keepalived/parse.js';
export { importKeepalivedConfig, SUPPORTED_KEEPALIVED_KEYWORDS } from './keepalived/import.js';
export type {
  UnsupportedKeyword,
  ImportIssue,
  ImportKeepalivedInput,
  ImportKeepalivedResult,
} from './keepalived/import.js';
export { importKeepalivedCluster } from './keepalived/cluster-import.js';
export type { ImportKeepalivedClusterInput, ImportKeepalivedClusterResult } from './keepalived/cluster-import.js';
export { renderKeepalivedConfig } from './keepalived/render.js';
export type { KeepalivedExport, KeepalivedExportOmission } from './keepalived/render.js';
export * from './protocol/messages.js';
export * from './protocol/nginx-status.js';
export * from './protocol/tls-material.js';
export { DEF_TLS_DIR } from './nginx/render-tls.js';
export type { TlsRenderOptions } from './nginx/render-tls.js';
export {
  parseAgentFrame,
  parseHubFrame,
  encodeFrame,
  errorMessage,
  helloMessage,
  MAX_FRAME_BYTES,
  MESSAGE_SIZE_LIMITS,
} from './protocol/frame.js';
export type { FrameResult } from './protocol/frame.js';
