// Every export here is public API (style.md, principle 6).

export {
  type GodotServer,
  type GodotServerConfig,
  type GodotServerOptions,
  startGodotServer,
} from './godot-server.js';
export { Ingest, type IngestOptions, type LogReply } from './ingest/ingest.js';
export { EntryRefusedError, QueueUnavailableError } from './ingest/ingest-errors.js';
export { LevelStore } from './ingest/level-store.js';
export { QueueBound } from './ingest/queue-bound.js';
export { createGodotMcpServer, type GodotToolDeps, TOOL_ALIASES } from './mcp/godot-tools.js';
export type { HealthReport } from './ops/health.js';
export { createServerMetrics, type ServerMetrics } from './ops/server-metrics.js';
