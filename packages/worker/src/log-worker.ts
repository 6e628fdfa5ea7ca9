import {
  backoffDelay,
  type DeweyClient,
  type LogEntry,
  type Logger,
  logEntrySchema,
  withDefaults,
} from '@godot/shared';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliverBatch } from './batch-delivery.js';
import { Batcher } from './batcher.js';
import type { BatchRecord } from './delivery-stats-writer.js';
import type { WorkerMetrics } from './worker-metrics.js';

/** Options of `LogWorker`. */
export interface LogWorkerOptions {
  /** Redis connection; BullMQ duplicates it for blocking reads. */
  connection: Redis;
  queueName: string;
  dewey: Pick<DeweyClient, 'storeLogsBatch' | 'connect'>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** @default 100 */
  batchSize?: number;
  /** @default 100 */
  batchTimeoutMs?: number;
  /** @default 8388608 */
  batchMaxBytes?: number;
  /** First wait after Dewey was unavailable. @default 1000 */
  retryInitialDelayMs?: number;
  /** Longest wait between attempts. @default 30000 */
  retryMaxDelayMs?: number;
  /** BullMQ job lock; a dead worker's jobs return after this. @default 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for jobs of dead workers. @default 30000 */
  stalledIntervalMs?: number;
  /**
   * Times a batch that Dewey refused entirely is retried before its entries
   * are dead-lettered: a refusal of everything looks more like a database
   * failure than like bad entries. @default 3
   */
  wholeBatchRejectionRetries?: number;
  /** Told about every store attempt (the queue-wide counts in Redis). @default none */
  recordBatch?: (record: BatchRecord) => void;
}

interface Item {
  entry: LogEntry;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Drains the queue into Dewey, at least once. Open-source BullMQ has no batch
 * consumer, so a Worker with concurrency 2 × BATCH_SIZE feeds a `Batcher`:
 * each job's processor waits until Dewey confirmed the batch holding it, so a
 * job completes only after delivery, and lock renewal, stalled-job recovery
 * and the failed set stay BullMQ's. Twice the batch size lets the next batch
 * fill while one is in flight; batches are delivered one at a time, in order.
 *
 * While Dewey is unavailable the worker stops fetching (pause), keeps its
 * batch in hand and retries with backoff: nothing fails, no attempt is spent,
 * and everything else stays in the wait list where the server's bound applies.
 */
export class LogWorker {
  private readonly options: Required<LogWorkerOptions>;
  private readonly worker: Worker<LogEntry>;
  private readonly batcher: Batcher<Item>;
  private readonly sealed: Item[][] = [];
  private delivering: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(options: LogWorkerOptions) {
    this.options = withDefaults(
      {
        batchSize: 100,
        batchTimeoutMs: 100,
        batchMaxBytes: 8 * 1024 * 1024,
        retryInitialDelayMs: 1000,
        retryMaxDelayMs: 30_000,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        wholeBatchRejectionRetries: 3,
        recordBatch: () => {},
      },
      options,
    );
    const { batchSize, batchTimeoutMs, batchMaxBytes, metrics, logger } = this.options;
    this.batcher = new Batcher((batch) => this.onBatch(batch), {
      maxItems: batchSize,
      maxWaitMs: batchTimeoutMs,
      maxBytes: batchMaxBytes,
    });
    this.worker = new Worker<LogEntry>(this.options.queueName, (job) => this.process(job), {
      connection: this.options.connection,
      autorun: false,
      concurrency: batchSize * 2,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      // At least once: a job held by workers that died keeps coming back.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10_000 },
    });
    this.worker.on('stalled', (jobId) => {
      metrics.stalled.inc();
      logger.warn(
        { job: jobId },
        'worker: recovered a job from a dead worker (may be delivered twice)',
      );
    });
    this.worker.on('error', (error) =>
      logger.error({ err: error.message }, 'worker: BullMQ error'),
    );
  }

  /** Waits until Dewey answers, then starts fetching. Resolves once fetching started. */
  async start(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt += 1) {
      try {
        await this.options.dewey.connect();
        break;
      } catch (error) {
        this.options.logger.warn(
          { err: String(error), attempt },
          'worker: Dewey unavailable, not fetching yet',
        );
        await this.sleep(this.delay(attempt));
      }
    }
    if (this.stopping) return;
    this.worker
      .run()
      .catch((error: unknown) =>
        this.options.logger.error({ err: String(error) }, 'worker: stopped'),
      );
    this.options.logger.info({ queue: this.options.queueName }, 'worker: fetching');
  }

  /**
   * Stops fetching, delivers what it holds if Dewey answers at once, hands the
   * rest back to the queue, and closes.
   */
  async close(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.batcher.seal();
    await this.worker.close();
    await this.delivering;
  }

  private process(job: Job<LogEntry>): Promise<void> {
    const parsed = logEntrySchema.safeParse(job.data);
    if (!parsed.success) {
      this.options.metrics.deadLettered.inc({ reason: 'invalid_job' });
      this.options.logger.error(
        { job: job.id, err: parsed.error.message },
        'worker: unreadable job dead-lettered',
      );
      throw new UnrecoverableError(`invalid log entry in job data: ${parsed.error.message}`);
    }
    if (this.stopping) {
      this.options.metrics.returned.inc();
      throw Worker.RateLimitError();
    }
    const entry = parsed.data;
    return new Promise<void>((resolve, reject) => {
      this.batcher.add({ entry, resolve, reject }, JSON.stringify(entry).length);
    });
  }

  private onBatch(batch: Item[]): void {
    this.options.metrics.batchSize.observe(batch.length);
    this.sealed.push(batch);
    this.delivering ??= this.deliverAll().finally(() => {
      this.delivering = undefined;
    });
  }

  private async deliverAll(): Promise<void> {
    for (let batch = this.sealed.shift(); batch; batch = this.sealed.shift()) {
      await this.deliver(batch);
    }
  }

  /** Delivers one batch, retrying while Dewey is unavailable; settles every item. */
  private async deliver(batch: Item[]): Promise<void> {
    const { metrics, logger } = this.options;
    let unavailable = 0;
    let wholeRejections = 0;
    for (;;) {
      const started = performance.now();
      try {
        const outcome = await deliverBatch(
          this.options.dewey,
          batch.map((item) => item.entry),
        );
        if (
          batch.length > 1 &&
          outcome.rejected.size === batch.length &&
          wholeRejections < this.options.wholeBatchRejectionRetries
        ) {
          wholeRejections += 1;
          logger.warn(
            { entries: batch.length, err: outcome.rejected.get(0) },
            'worker: Dewey refused every entry, retrying',
          );
          await this.sleep(this.delay(wholeRejections - 1));
          continue;
        }
        const durationSeconds = (performance.now() - started) / 1000;
        metrics.batchDuration.observe(durationSeconds);
        this.settle(batch, outcome.rejected, durationSeconds);
        if (unavailable > 0)
          logger.info({ attempts: unavailable }, 'worker: Dewey back, delivering');
        if (this.worker.isPaused() && !this.stopping) this.worker.resume();
        return;
      } catch (error) {
        metrics.batches.inc({ outcome: 'unavailable' });
        this.options.recordBatch({ outcome: 'unavailable', delivered: 0, deadLettered: 0 });
        if (this.stopping) {
          this.handBack(batch, error);
          return;
        }
        if (unavailable === 0) {
          logger.warn(
            { err: String(error), entries: batch.length },
            'worker: Dewey unavailable, holding the batch',
          );
          await this.worker.pause(true);
        }
        metrics.retries.inc();
        await this.sleep(this.delay(unavailable));
        unavailable += 1;
      }
    }
  }

  private settle(batch: Item[], rejected: Map<number, string>, durationSeconds: number): void {
    const { metrics, logger } = this.options;
    const outcome = rejected.size > 0 ? 'partial' : 'delivered';
    metrics.batches.inc({ outcome });
    metrics.delivered.inc(batch.length - rejected.size);
    this.options.recordBatch({
      outcome,
      delivered: batch.length - rejected.size,
      deadLettered: rejected.size,
      durationSeconds,
    });
    batch.forEach((item, index) => {
      const reason = rejected.get(index);
      if (reason === undefined) {
        item.resolve();
        return;
      }
      metrics.deadLettered.inc({ reason: 'rejected' });
      logger.warn(
        { component: item.entry.component, err: reason },
        'worker: Dewey refused an entry, dead-lettered',
      );
      item.reject(new UnrecoverableError(`Dewey rejected this entry: ${reason}`));
    });
  }

  /** Shutdown with Dewey away: the jobs go back to the wait list, undelivered but kept. */
  private handBack(batch: Item[], error: unknown): void {
    this.options.logger.warn(
      { entries: batch.length, err: String(error) },
      'worker: returning undelivered batch to the queue',
    );
    this.options.metrics.returned.inc(batch.length);
    for (const item of batch.reverse()) item.reject(Worker.RateLimitError());
  }

  private delay(attempt: number): number {
    return backoffDelay(attempt, {
      initialDelayMs: this.options.retryInitialDelayMs,
      maxDelayMs: this.options.retryMaxDelayMs,
    });
  }

  /** Sleeps, or less if `close()` is called meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
