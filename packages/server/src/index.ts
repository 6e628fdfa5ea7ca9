// Every export here is public API.

export {
  type GodotServer,
  type GodotServerConfig,
  type GodotServerOptions,
  startGodotServer,
} from './godot-server.js';
export { Ingest, type IngestOptions, type LogReply } from './ingest/ingest.js';
export {
  EntryRefusedError,
  IngestError,
  type IngestErrorCode,
  QueueUnavailableError,
} from './ingest/ingest-errors.js';
export { LevelStore } from './ingest/level-store.js';
export { createGodotMcpServer } from './mcp/godot-mcp-server.js';
export { TOOL_ALIASES } from './mcp/tool-catalog.js';
export {
  TOOL_ERROR_META_KEY,
  type ToolErrorMeta,
  type ToolErrorReason,
} from './mcp/tool-result.js';
export type { GodotToolDeps } from './mcp/tools/define-tool.js';
export type { HealthReport } from './ops/health.js';
export { createServerMetrics, type ServerMetrics } from './ops/server-metrics.js';
