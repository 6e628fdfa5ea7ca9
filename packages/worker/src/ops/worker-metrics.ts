import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Upper bounds (seconds) of the batch duration histogram. */
const BATCH_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/** Prometheus metrics of one worker (docs/product.md#metrics). */
export interface WorkerMetrics {
  /** Everything, served on the worker's own `/metrics`. */
  registry: Registry;
  /**
   * The delivery metrics only (`delivered`, `batches`, `batchDuration`,
   * `deadLettered`, also in `registry`): what `WorkerPresence` writes to
   * Redis so the server's `/metrics` can show their sum over all workers.
   * Process metrics (`godot_worker_*`) stay out: a sum of heap sizes or
   * event-loop lags across processes means nothing.
   */
  delivery: Registry;
  delivered: Counter;
  batches: Counter<'outcome'>;
  batchSize: Histogram;
  batchDuration: Histogram;
  deadLettered: Counter<'reason'>;
  retries: Counter;
  returned: Counter;
  stalled: Counter;
  migrated: Counter;
  deweyUp: Gauge;
}

/** Creates the metrics on a registry of their own. */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  const delivery = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'godot_worker_' });
  const registers = [registry];
  const both = [registry, delivery];
  const batches = new Counter({
    name: 'godot_batches_total',
    help: 'Store attempts by outcome: delivered, partial (offenders isolated), unavailable (retried)',
    labelNames: ['outcome'],
    registers: both,
  });
  const deadLettered = new Counter({
    name: 'godot_logs_dead_lettered_total',
    help: "Entries moved to the failed set: Dewey refused them, or the job's data was unreadable",
    labelNames: ['reason'],
    registers: both,
  });
  // Known label values start at 0, so a first increment is a visible change.
  for (const outcome of ['delivered', 'partial', 'unavailable']) batches.inc({ outcome }, 0);
  for (const reason of ['rejected', 'invalid_job']) deadLettered.inc({ reason }, 0);
  return {
    registry,
    delivery,
    delivered: new Counter({
      name: 'godot_logs_delivered_total',
      help: 'Entries Dewey confirmed',
      registers: both,
    }),
    batches,
    batchSize: new Histogram({
      name: 'godot_batch_size',
      help: 'Entries per sealed batch',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'godot_batch_duration_seconds',
      help: 'Time to deliver one sealed batch, retries excluded',
      buckets: BATCH_DURATION_BUCKETS,
      registers: both,
    }),
    deadLettered,
    retries: new Counter({
      name: 'godot_delivery_retries_total',
      help: 'Batch deliveries retried because Dewey was unavailable',
      registers,
    }),
    returned: new Counter({
      name: 'godot_jobs_returned_total',
      help: 'Jobs handed back to the queue undelivered at shutdown',
      registers,
    }),
    stalled: new Counter({
      name: 'godot_jobs_stalled_total',
      help: 'Jobs recovered from a worker that died holding them (may be delivered twice)',
      registers,
    }),
    migrated: new Counter({
      name: 'godot_legacy_entries_migrated_total',
      help: "Entries moved from the Python Godot's logs:queue list",
      registers,
    }),
    deweyUp: new Gauge({
      name: 'godot_dewey_up',
      help: '1 while the worker is connected to Dewey',
      registers,
    }),
  };
}
