// Every export here is public API (style.md, principle 6).
export { type BatchStore, type DeliveryOutcome, deliverBatch } from './batch-delivery.js';
export { Batcher, type BatcherOptions } from './batcher.js';
export {
  type GodotWorker,
  type GodotWorkerConfig,
  type GodotWorkerOptions,
  startGodotWorker,
} from './godot-worker.js';
export { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { fromLegacy, type LegacyMigrationOptions, migrateLegacyQueue } from './legacy-migration.js';
export { LogWorker, type LogWorkerOptions } from './log-worker.js';
export { MetricsPublisher, type MetricsPublisherOptions } from './metrics-publisher.js';
export { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.js';
