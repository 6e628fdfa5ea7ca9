import {
  addLogJobs,
  backoffDelay,
  type DeweyClient,
  DeweyUnavailableError,
  jobEntries,
  LOG_JOB_OPTIONS,
  type LogEntry,
  type Logger,
  type LogJobData,
  logEntrySchema,
  type RedisConnection,
  withDefaults,
} from '@godot/shared';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { WorkerMetrics } from '../ops/worker-metrics.js';
import { deliverBatch } from './batch-delivery.js';
import { Batcher } from './batcher.js';

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
  /** First wait before retrying a batch Dewey refused entirely. @default 1000 */
  retryInitialDelayMs?: number;
  /** Longest such wait. @default 30000 */
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
}

/** One job in hand: its entries, and how to settle it once they are delivered. */
interface Item {
  job: Job<LogJobData>;
  entries: LogEntry[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Drains the queue into Dewey, at least once. A job holds the entries of
 * one server flush (log-job.ts). Open-source BullMQ has no batch consumer, so
 * a Worker with concurrency 2 × BATCH_SIZE jobs feeds a `Batcher` that packs
 * whole jobs into Dewey batches: each job's processor waits until Dewey
 * confirmed the batch holding it, so a job completes only after delivery, and
 * lock renewal, stalled-job recovery and the failed set stay BullMQ's.
 * Batches are delivered one at a time, in order.
 *
 * Dewey away: the worker stops fetching (pause), keeps its batch in hand and
 * waits for the Dewey connection, which alone owns reconnecting and its
 * backoff (`DeweyClient.waitUntilUp`); nothing fails and no attempt is spent,
 * and everything else stays in the wait list where the server's bound applies.
 *
 * Dewey refuses a batch: it is split until the offenders stand alone
 * (`deliverBatch`). A refused entry that was its job's only one fails that
 * job with Dewey's message; one of a larger job becomes a dead letter, a job
 * of its own that fails on its first run with that message, and the rest of
 * the job completes. Either way each refused entry is one failed job in the
 * dashboard, readable and retryable.
 */
export class LogWorker {
  private readonly options: Required<LogWorkerOptions>;
  private readonly worker: Worker<LogJobData>;
  private readonly batcher: Batcher<Item>;
  private readonly sealed: Item[][] = [];
  private readonly stop = new AbortController();
  private delivering: Promise<void> | undefined;
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
      },
      options,
    );
    const { batchSize, batchTimeoutMs, batchMaxBytes, metrics, logger } = this.options;
    this.batcher = new Batcher((batch) => this.onBatch(batch), {
      maxEntries: batchSize,
      maxWaitMs: batchTimeoutMs,
      maxBytes: batchMaxBytes,
    });
    this.worker = new Worker<LogJobData>(this.options.queue.name, (job) => this.process(job), {
      connection: this.options.connection,
      // A shard's keys live under its own prefix (queue-shards.ts).
      prefix: this.options.queue.opts.prefix,
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
  }

  private get stopping(): boolean {
    return this.stop.signal.aborted;
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
    this.wake?.();
    this.batcher.seal();
    await this.worker.close();
    await this.delivering;
  }

  private async process(job: Job<LogJobData>): Promise<void> {
    const { metrics, logger } = this.options;
    if (job.data.rejected !== undefined && job.attemptsMade === 0) {
      // A dead letter's first run: into the failed set, with Dewey's message.
      throw new UnrecoverableError(`Dewey rejected this entry: ${job.data.rejected}`);
    }
    const raw = jobEntries(job);
    const entries: LogEntry[] = [];
    const unreadable: unknown[] = [];
    let problem = '';
    for (const value of raw) {
      const parsed = logEntrySchema.safeParse(value);
      if (parsed.success) entries.push(parsed.data);
      else {
        unreadable.push(value);
        problem = parsed.error.message;
      }
    }
    if (unreadable.length > 0) {
      metrics.deadLettered.inc({ reason: 'invalid_job' }, unreadable.length);
      logger.error(
        { job: job.id, entries: unreadable.length, err: problem },
        'worker: unreadable entries dead-lettered',
      );
      const reason = `invalid log entry in job data: ${problem}`;
      if (entries.length === 0 && raw.length === 1) throw new UnrecoverableError(reason);
      await this.deadLetter(unreadable as LogEntry[], () => reason);
      if (entries.length === 0) return;
    }
    if (this.stopping) {
      metrics.returned.inc(entries.length);
      throw Worker.RateLimitError();
    }
    const bytes = Buffer.byteLength(JSON.stringify(entries));
    return new Promise<void>((resolve, reject) => {
      this.batcher.add({ job, entries, resolve, reject }, bytes, entries.length);
    });
  }

  private onBatch(batch: Item[]): void {
    this.options.metrics.batchSize.observe(
      batch.reduce((sum, item) => sum + item.entries.length, 0),
    );
    this.sealed.push(batch);
    this.delivering ??= this.deliverAll().finally(() => {
      this.delivering = undefined;
    });
  }

  private async deliverAll(): Promise<void> {
    for (let batch = this.sealed.shift(); batch; batch = this.sealed.shift()) {
      if (await this.deliver(batch)) continue;
      // Stopping, and Dewey did not take this batch in time: the ones behind
      // it would each wait as long (DEWEY_TIMEOUT_MS), past the stop budget.
      for (let rest = this.sealed.shift(); rest; rest = this.sealed.shift()) {
        this.handBack(rest, 'Dewey did not take the batch before it while stopping');
      }
    }
  }

  /**
   * Delivers one batch, waiting for Dewey while it is unavailable; settles
   * every job. False when it handed the batch back instead (stopping).
   */
  private async deliver(batch: Item[]): Promise<boolean> {
    const { metrics, logger, dewey } = this.options;
    const entries = batch.flatMap((item) => item.entries);
    let unavailable = 0;
    let wholeRejections = 0;
    for (;;) {
      const started = performance.now();
      try {
        const outcome = await deliverBatch(dewey, entries);
        if (
          entries.length > 1 &&
          outcome.rejected.size === entries.length &&
          wholeRejections < this.options.wholeBatchRejectionRetries
        ) {
          wholeRejections += 1;
          logger.warn(
            { entries: entries.length, err: outcome.rejected.get(0) },
            'worker: Dewey refused every entry, retrying',
          );
          await this.sleep(this.delay(wholeRejections - 1));
          continue;
        }
        metrics.batchDuration.observe((performance.now() - started) / 1000);
        await this.settle(batch, outcome.rejected);
        if (unavailable > 0)
          logger.info({ attempts: unavailable }, 'worker: Dewey back, delivering');
        if (this.worker.isPaused() && !this.stopping) this.worker.resume();
        return true;
      } catch (error) {
        metrics.batches.inc({ outcome: 'unavailable' });
        if (this.stopping) {
          this.handBack(batch, error);
          return false;
        }
        if (unavailable === 0) {
          logger.warn(
            { err: String(error), entries: entries.length },
            'worker: Dewey unavailable, holding the batch',
          );
          await this.worker.pause(true);
        }
        metrics.retries.inc();
        unavailable += 1;
        if (!(error instanceof DeweyUnavailableError)) {
          // Dewey answered something unreadable: not a connection matter.
          await this.sleep(this.delay(unavailable - 1));
          continue;
        }
        try {
          // The connection owns reconnecting and its backoff; wait for it.
          await dewey.waitUntilUp(this.stop.signal);
        } catch {
          this.handBack(batch, error);
          return false;
        }
      }
    }
  }

  /** Completes each job, or fails it or dead-letters its refused entries (see the class doc). */
  private async settle(batch: Item[], rejected: Map<number, string>): Promise<void> {
    const { metrics, logger } = this.options;
    metrics.batches.inc({ outcome: rejected.size > 0 ? 'partial' : 'delivered' });
    let index = 0;
    for (const item of batch) {
      const refused: Array<[LogEntry, string]> = [];
      for (const entry of item.entries) {
        const reason = rejected.get(index++);
        if (reason !== undefined) refused.push([entry, reason]);
      }
      metrics.delivered.inc(item.entries.length - refused.length);
      if (refused.length === 0) {
        item.resolve();
        continue;
      }
      metrics.deadLettered.inc({ reason: 'rejected' }, refused.length);
      for (const [entry, reason] of refused) {
        logger.warn(
          { component: entry.component, err: reason },
          'worker: Dewey refused an entry, dead-lettered',
        );
      }
      const [first] = refused;
      if (item.entries.length === 1 && first) {
        item.reject(new UnrecoverableError(`Dewey rejected this entry: ${first[1]}`));
        continue;
      }
      try {
        const reasons = new Map(refused);
        await this.deadLetter(
          refused.map(([entry]) => entry),
          (entry) => reasons.get(entry) ?? '',
        );
        item.resolve();
      } catch (error) {
        // Without its dead letters the job must not complete: it fails whole,
        // kept in the failed set with every entry (a retry may duplicate some).
        logger.error(
          { job: item.job.id, entries: item.entries.length, err: String(error) },
          'worker: could not queue dead letters, job failed whole',
        );
        item.reject(
          new UnrecoverableError(`could not dead-letter refused entries: ${String(error)}`),
        );
      }
    }
  }

  /** Queues each entry as a dead letter: a job of its own that fails with `reason`. */
  private async deadLetter(
    entries: LogEntry[],
    reason: (entry: LogEntry) => string,
  ): Promise<void> {
    await addLogJobs(
      this.options.queue,
      entries.map((entry) => ({ entries: [entry], rejected: reason(entry) })),
      LOG_JOB_OPTIONS,
    );
  }

  /** Shutdown with Dewey away: the jobs go back to the wait list, undelivered but kept. */
  private handBack(batch: Item[], error: unknown): void {
    const entries = batch.reduce((sum, item) => sum + item.entries.length, 0);
    this.options.logger.warn(
      { entries, err: String(error) },
      'worker: returning undelivered batch to the queue',
    );
    this.options.metrics.returned.inc(entries);
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
