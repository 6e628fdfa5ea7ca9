// Every export here is public API (style.md, principle 6).

export {
  type GodotServer,
  type GodotServerConfig,
  type GodotServerOptions,
  startGodotServer,
} from './godot-server.js';
export { createGodotMcpServer, type GodotToolDeps, TOOL_ALIASES } from './godot-tools.js';
export type { HealthReport } from './health.js';
export { Ingest, type IngestOptions, type LogReply } from './ingest.js';
export { EntryRefusedError, QueueUnavailableError } from './ingest-errors.js';
export { LevelStore } from './level-store.js';
export { QueueBound } from './queue-bound.js';
export { createServerMetrics, type ServerMetrics } from './server-metrics.js';
