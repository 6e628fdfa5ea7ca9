import type { LogEntry, Logger } from '@godot/shared';
import { type Queue, UnrecoverableError } from 'bullmq';
import type { WorkerMetrics } from '../ops/worker-metrics.js';
import { queueDeadLetters } from './dead-letters.js';
import type { HeldJob } from './held-job.js';

/** What `settleBatch` needs. */
export interface SettlementOptions {
  /** The queue the batch came from: dead letters go back to it. */
  queue: Queue;
  metrics: WorkerMetrics;
  logger: Logger;
}

/**
 * Settles every job of a batch Dewey took, given the entries it refused
 * (indexes into the batch's entries, in job order, with Dewey's message):
 * - a job with no refused entry completes;
 * - a job whose only entry was refused fails, with Dewey's message;
 * - a refused entry of a larger job becomes a dead letter (`queueDeadLetters`)
 *   and the rest of the job completes; if the dead letters cannot be queued,
 *   the job fails whole instead, so no entry is lost.
 *
 * Either way each refused entry ends as one failed job in the dashboard
 * (docs/product.md#dead-letters).
 * Never rejects: every outcome is a job settled.
 */
export async function settleBatch(
  batch: readonly HeldJob[],
  rejected: ReadonlyMap<number, string>,
  options: SettlementOptions,
): Promise<void> {
  const { metrics } = options;
  metrics.batches.inc({ outcome: rejected.size > 0 ? 'partial' : 'delivered' });
  let index = 0;
  for (const item of batch) {
    const refused: Array<{ entry: LogEntry; reason: string }> = [];
    for (const entry of item.entries) {
      const reason = rejected.get(index++);
      if (reason !== undefined) refused.push({ entry, reason });
    }
    metrics.delivered.inc(item.entries.length - refused.length);
    if (refused.length === 0) {
      item.resolve();
      continue;
    }
    await settleRefused(item, refused, options);
  }
}

async function settleRefused(
  item: HeldJob,
  refused: ReadonlyArray<{ entry: LogEntry; reason: string }>,
  { queue, metrics, logger }: SettlementOptions,
): Promise<void> {
  metrics.deadLettered.inc({ reason: 'rejected' }, refused.length);
  for (const { entry, reason } of refused) {
    logger.warn(
      { component: entry.component, err: reason },
      'worker: Dewey refused an entry, dead-lettered',
    );
  }
  const [first] = refused;
  if (item.entries.length === 1 && first) {
    item.reject(new UnrecoverableError(`Dewey rejected this entry: ${first.reason}`));
    return;
  }
  try {
    await queueDeadLetters(
      queue,
      refused.map(({ entry, reason }) => ({ readable: true, entry, reason })),
    );
    item.resolve();
  } catch (error) {
    // Without its dead letters the job must not complete: it fails whole,
    // kept in the failed set with every entry (a retry may duplicate some).
    logger.error(
      { job: item.jobId, entries: item.entries.length, err: String(error) },
      'worker: could not queue dead letters, job failed whole',
    );
    item.reject(new UnrecoverableError(`could not dead-letter refused entries: ${String(error)}`));
  }
}
