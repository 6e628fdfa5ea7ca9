import {
  type DeweyClient,
  LOG_JOB_OPTIONS,
  type Logger,
  type LogJobData,
  parseLogJobName,
  type RedisConnection,
  withDefaults,
} from '@godot/shared';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { WorkerMetrics } from '../ops/worker-metrics.js';
import { Batcher } from './batcher.js';
import { queueDeadLetters } from './dead-letters.js';
import { DeliveryLoop } from './delivery-loop.js';
import { handBackError } from './hand-back.js';
import type { HeldJob } from './held-job.js';
import { decodeJob, unreadableReason } from './job-decoder.js';
import { settleBatch } from './settlement.js';

/** Options of `LogWorker`. */
export interface LogWorkerOptions {
  /** Redis connection; BullMQ duplicates it for blocking reads. */
  connection: RedisConnection;
  /** The queue, for dead letters (a rejected entry of a larger job becomes a job of its own). */
  queue: Queue<LogJobData>;
  dewey: Pick<DeweyClient, 'storeLogsBatch' | 'waitUntilUp'>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Most entries per Dewey call. @default 100 */
  batchSize?: number;
  /** @default 100 */
  batchTimeoutMs?: number;
  /** Most serialized bytes (UTF-8) per Dewey call. @default 8388608 */
  batchMaxBytes?: number;
  /** First wait before retrying a batch Dewey answered unusably (`DeliveryLoop`). @default 1000 */
  retryInitialDelayMs?: number;
  /** Longest such wait. @default 30000 */
  retryMaxDelayMs?: number;
  /** BullMQ job lock; a dead worker's jobs return after this. @default 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for jobs of dead workers. @default 30000 */
  stalledIntervalMs?: number;
  /**
   * Times a batch that Dewey refused entirely is retried before its entries
   * are dead-lettered (`DeliveryLoop`). @default 3
   */
  wholeBatchRejectionRetries?: number;
}

/**
 * Drains one queue shard into Dewey, at least once. A job holds the entries
 * of one server flush. Open-source BullMQ has no batch consumer, so a Worker
 * with concurrency 2 × BATCH_SIZE jobs feeds a `Batcher` that packs whole
 * jobs into Dewey batches; each job's processor waits until its batch is
 * settled, so a job completes only after delivery, and lock renewal,
 * stalled-job recovery and the failed set stay BullMQ's.
 *
 * One job's way: `decodeJob` reads it (unreadable entries become dead
 * letters), the `Batcher` seals batches, the `DeliveryLoop` delivers them one
 * at a time (`deliverBatch` isolates refused entries), `settleBatch`
 * completes or fails each job, and at shutdown `handBack` returns what was
 * not delivered to the wait list.
 */
export class LogWorker {
  private readonly options: Required<LogWorkerOptions>;
  private readonly worker: Worker<LogJobData>;
  private readonly batcher: Batcher<HeldJob>;
  private readonly loop: DeliveryLoop;
  private readonly stop = new AbortController();

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
      },
      options,
    );
    const { batchSize, queue, metrics, logger } = this.options;
    this.worker = new Worker<LogJobData>(queue.name, (job) => this.process(job), {
      connection: this.options.connection,
      // A shard's keys live under its own prefix (queue-shards.ts).
      prefix: queue.opts.prefix,
      autorun: false,
      concurrency: batchSize * 2,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      // At least once: a job held by workers that died keeps coming back.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      // Jobs carry their own (LOG_JOB_OPTIONS); these cover jobs written by others.
      removeOnComplete: { count: 0 },
      removeOnFail: LOG_JOB_OPTIONS.removeOnFail,
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
    this.loop = new DeliveryLoop({
      dewey: this.options.dewey,
      metrics,
      logger,
      settle: (batch, rejected) => settleBatch(batch, rejected, { queue, metrics, logger }),
      pauseFetching: () => this.worker.pause(true),
      resumeFetching: () => {
        if (this.worker.isPaused()) this.worker.resume();
      },
      signal: this.stop.signal,
      retryInitialDelayMs: this.options.retryInitialDelayMs,
      retryMaxDelayMs: this.options.retryMaxDelayMs,
      wholeBatchRejectionRetries: this.options.wholeBatchRejectionRetries,
    });
    this.batcher = new Batcher((batch) => this.loop.push(batch), {
      maxEntries: batchSize,
      maxWaitMs: this.options.batchTimeoutMs,
      maxBytes: this.options.batchMaxBytes,
    });
  }

  /** Waits until Dewey answers, then starts fetching. Resolves once fetching started. */
  async start(): Promise<void> {
    const { dewey, logger, queue } = this.options;
    try {
      await dewey.waitUntilUp(this.stop.signal);
    } catch {
      return; // Closed before Dewey came.
    }
    this.worker
      .run()
      .catch((error: unknown) => logger.error({ err: String(error) }, 'worker: stopped'));
    logger.info({ queue: queue.name }, 'worker: fetching');
  }

  /**
   * Stops fetching, delivers what it holds if Dewey answers at once, hands the
   * rest back to the queue, and closes.
   */
  async close(): Promise<void> {
    this.stop.abort(new Error('worker closing'));
    this.batcher.seal();
    await this.worker.close();
    await this.loop.drained();
  }

  /** BullMQ's processor: settles when the job's batch is settled. */
  private async process(job: Job<LogJobData>): Promise<void> {
    const { queue, metrics, logger } = this.options;
    // The entries appended while the job gathered them (the server's job
    // writer) are in its logs list: one LRANGE per job, i.e. per batch.
    const { logs } = await queue.getJobLogs(job.id as string);
    const decoded = decodeJob(job, logs);
    if (decoded.kind === 'dead-letter') throw new UnrecoverableError(decoded.failure);
    const { entries, unreadable } = decoded;
    const [first] = unreadable;
    if (first !== undefined) {
      metrics.deadLettered.inc({ reason: 'invalid_job' }, unreadable.length);
      logger.error(
        { job: job.id, entries: unreadable.length, err: unreadable.at(-1)?.problem },
        'worker: unreadable entries dead-lettered',
      );
      // A job of one unreadable entry fails itself rather than spawn a dead letter.
      if (entries.length === 0 && unreadable.length === 1) {
        throw new UnrecoverableError(unreadableReason(first));
      }
      await queueDeadLetters(
        queue,
        unreadable.map((entry) => ({
          readable: false,
          value: entry.value,
          reason: unreadableReason(entry),
        })),
      );
      if (entries.length === 0) return;
    }
    if (this.stop.signal.aborted) {
      metrics.returned.inc(entries.length);
      throw handBackError();
    }
    // The job's name says the bytes of the entries it keeps (log-job-name.ts):
    // no need to serialize them again to measure them.
    const bytes = parseLogJobName(job.name)?.bytes ?? Buffer.byteLength(JSON.stringify(entries));
    return new Promise<void>((resolve, reject) => {
      // A job that gathered entries for BATCH_TIMEOUT_MS (added with a
      // delay by the server's job writer) has spent the batch's window: its
      // clock starts with its first entry, so it leaves at once. Other jobs
      // (a backlog, dead letters) start the clock when taken, so that a
      // backlog still leaves in full batches.
      this.batcher.add(
        { jobId: job.id, entries, resolve, reject },
        bytes,
        entries.length,
        (job.opts.delay ?? 0) > 0 ? job.timestamp : undefined,
      );
    });
  }
}
