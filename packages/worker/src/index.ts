// Every export here is public API (style.md, principle 6).
export { type BatchStore, type DeliveryOutcome, deliverBatch } from './delivery/batch-delivery.js';
export { Batcher, type BatcherOptions } from './delivery/batcher.js';
export { LogWorker, type LogWorkerOptions } from './delivery/log-worker.js';
export {
  type GodotWorker,
  type GodotWorkerConfig,
  type GodotWorkerOptions,
  startGodotWorker,
} from './godot-worker.js';
export {
  fromLegacy,
  type LegacyMigrationOptions,
  migrateLegacyQueue,
} from './legacy/legacy-migration.js';
export { createWorkerMetrics, type WorkerMetrics } from './ops/worker-metrics.js';
export { Heartbeat, type HeartbeatOptions } from './presence/heartbeat.js';
export { MetricsPublisher, type MetricsPublisherOptions } from './presence/metrics-publisher.js';
