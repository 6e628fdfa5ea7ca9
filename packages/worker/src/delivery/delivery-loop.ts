import { setTimeout as sleep } from 'node:timers/promises';
import {
  backoffDelay,
  type DeweyClient,
  DeweyUnavailableError,
  type Logger,
  withDefaults,
} from '@godot/shared';
import type { WorkerMetrics } from '../ops/worker-metrics.js';
import { deliverBatch } from './batch-delivery.js';
import { handBack } from './hand-back.js';
import { entryCount, type HeldJob } from './held-job.js';

/** Options of `DeliveryLoop`. */
export interface DeliveryLoopOptions {
  dewey: Pick<DeweyClient, 'storeLogsBatch' | 'waitUntilUp'>;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Settles a batch Dewey took, given the entries it refused (`settleBatch`). Never rejects. */
  settle(batch: readonly HeldJob[], rejected: ReadonlyMap<number, string>): Promise<void>;
  /** Stops fetching jobs while Dewey is away (BullMQ `worker.pause(true)`). */
  pauseFetching(): Promise<void>;
  /** Fetches again, once Dewey took a batch; a no-op when not paused. */
  resumeFetching(): void;
  /** Aborted when the worker stops: waits end at once, undelivered batches are handed back. */
  signal: AbortSignal;
  /** First wait before trying again after Dewey answered unusably. @default 1000 */
  retryInitialDelayMs?: number;
  /** Longest such wait. @default 30000 */
  retryMaxDelayMs?: number;
  /**
   * Times a batch that Dewey refused entirely is retried before its entries
   * are dead-lettered: a refusal of everything looks more like a database
   * failure than like bad entries. @default 3
   */
  wholeBatchRejectionRetries?: number;
}

/**
 * Delivers sealed batches to Dewey one at a time, in order, and settles each
 * (docs/product.md#dewey-outage; docs/data-path.md#delivery).
 *
 * Dewey away (`DeweyUnavailableError`): fetching pauses, the batch stays in
 * hand, and the loop waits for the Dewey connection, which alone owns
 * reconnecting and its backoff (`waitUntilUp`). No attempt of any job is
 * spent; new entries stay in the wait list, where the server's bound applies.
 *
 * Dewey answers, but unusably (it refused every entry of a batch, or its
 * reply broke the contract): the connection is up, so nothing else waits;
 * the loop waits `backoffDelay` itself before trying the batch again. A
 * batch refused entirely is settled as refused after
 * `wholeBatchRejectionRetries` such tries.
 *
 * Stopping: a batch Dewey has not taken is handed back to the queue, and so
 * are the batches behind it, untried (each would wait as long for Dewey).
 */
export class DeliveryLoop {
  private readonly options: Required<DeliveryLoopOptions>;
  private readonly sealed: HeldJob[][] = [];
  private running = false;
  private draining: Promise<void> = Promise.resolve();

  constructor(options: DeliveryLoopOptions) {
    this.options = withDefaults(
      { retryInitialDelayMs: 1000, retryMaxDelayMs: 30_000, wholeBatchRejectionRetries: 3 },
      options,
    );
  }

  /** Queues a sealed batch behind the others. */
  push(batch: HeldJob[]): void {
    this.options.metrics.batchSize.observe(entryCount(batch));
    this.sealed.push(batch);
    if (this.running) return;
    this.running = true;
    this.draining = this.drain();
  }

  /** Resolves once every batch pushed so far is settled or handed back. */
  drained(): Promise<void> {
    return this.draining;
  }

  private get stopping(): boolean {
    return this.options.signal.aborted;
  }

  private async drain(): Promise<void> {
    try {
      for (let batch = this.sealed.shift(); batch; batch = this.sealed.shift()) {
        if (await this.deliver(batch)) continue;
        for (let rest = this.sealed.shift(); rest; rest = this.sealed.shift()) {
          this.handBack(rest, 'Dewey did not take the batch before it while stopping');
        }
      }
    } catch (error) {
      this.options.logger.error({ err: String(error) }, 'worker: delivery loop failed');
    } finally {
      // No await since the last shift(): a batch pushed from now on starts a new drain.
      this.running = false;
    }
  }

  /** Delivers one batch and settles it; false when it handed the batch back instead. */
  private async deliver(batch: HeldJob[]): Promise<boolean> {
    const { dewey, metrics, logger, signal } = this.options;
    const entries = batch.flatMap((item) => item.entries);
    let unavailable = 0;
    let unusable = 0; // answers of Dewey that were of no use: drives the backoff
    let wholeRejections = 0;
    for (;;) {
      const started = performance.now();
      let rejected: Map<number, string>;
      try {
        ({ rejected } = await deliverBatch(dewey, entries));
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
          await this.options.pauseFetching();
        }
        metrics.retries.inc();
        unavailable += 1;
        if (!(error instanceof DeweyUnavailableError)) {
          // Dewey answered something unreadable: not a connection matter.
          await this.backOff(unusable++);
          continue;
        }
        try {
          await dewey.waitUntilUp(signal);
        } catch {
          this.handBack(batch, error);
          return false;
        }
        continue;
      }
      if (
        entries.length > 1 &&
        rejected.size === entries.length &&
        wholeRejections < this.options.wholeBatchRejectionRetries
      ) {
        wholeRejections += 1;
        logger.warn(
          { entries: entries.length, err: rejected.get(0) },
          'worker: Dewey refused every entry, retrying',
        );
        await this.backOff(unusable++);
        continue;
      }
      metrics.batchDuration.observe((performance.now() - started) / 1000);
      await this.options.settle(batch, rejected);
      if (unavailable > 0) logger.info({ attempts: unavailable }, 'worker: Dewey back, delivering');
      if (!this.stopping) this.options.resumeFetching();
      return true;
    }
  }

  /** Waits `backoffDelay(attempt)`, or less if the worker stops meanwhile. */
  private async backOff(attempt: number): Promise<void> {
    const { retryInitialDelayMs, retryMaxDelayMs, signal } = this.options;
    const delay = backoffDelay(attempt, {
      initialDelayMs: retryInitialDelayMs,
      maxDelayMs: retryMaxDelayMs,
    });
    await sleep(delay, undefined, { signal }).catch(() => undefined);
  }

  /** Stopping with Dewey away: the jobs go back to the wait list, undelivered but kept. */
  private handBack(batch: readonly HeldJob[], error: unknown): void {
    const entries = entryCount(batch);
    this.options.logger.warn(
      { entries, err: String(error) },
      'worker: returning undelivered batch to the queue',
    );
    this.options.metrics.returned.inc(entries);
    handBack(batch);
  }
}
