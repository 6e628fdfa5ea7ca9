// Every export here is public API: nothing else is reachable by deep import.
export { type BatchStore, type DeliveryOutcome, deliverBatch } from './delivery/batch-delivery.js';
export { Batcher, type BatcherOptions } from './delivery/batcher.js';
export { type DeadLetter, queueDeadLetters } from './delivery/dead-letters.js';
export { DeliveryLoop, type DeliveryLoopOptions } from './delivery/delivery-loop.js';
export type { HeldJob } from './delivery/held-job.js';
export {
  type DecodedEntry,
  type DecodedJob,
  decodeEntry,
  decodeJob,
} from './delivery/job-decoder.js';
export { LogWorker, type LogWorkerOptions } from './delivery/log-worker.js';
export { type SettlementOptions, settleBatch } from './delivery/settlement.js';
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
export { WorkerPresence, type WorkerPresenceOptions } from './presence/worker-presence.js';
