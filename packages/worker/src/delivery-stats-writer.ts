import { deliveryStatsKey, durationBucket, type Logger } from '@godot/shared';
import type { Redis } from 'ioredis';

/** One store attempt's result, as counted across all workers. */
export interface BatchRecord {
  outcome: 'delivered' | 'partial' | 'unavailable';
  delivered: number;
  deadLettered: number;
  /** Set for attempts Dewey answered. */
  durationSeconds?: number;
}

/**
 * Adds each batch's counts to the queue's delivery hash in Redis (see
 * `deliveryStatsKey`), for the server's `/metrics`. Fire and forget: a lost
 * increment costs a metric, never an entry.
 */
export class DeliveryStatsWriter {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    queueName: string,
    private readonly logger: Logger,
  ) {
    this.key = deliveryStatsKey(queueName);
  }

  record(batch: BatchRecord): void {
    const multi = this.redis.multi().hincrby(this.key, `batches:${batch.outcome}`, 1);
    if (batch.delivered > 0) multi.hincrby(this.key, 'delivered', batch.delivered);
    if (batch.deadLettered > 0) multi.hincrby(this.key, 'dead_lettered', batch.deadLettered);
    if (batch.durationSeconds !== undefined) {
      multi
        .hincrby(this.key, `duration_le:${durationBucket(batch.durationSeconds)}`, 1)
        .hincrby(this.key, 'duration_count', 1)
        .hincrbyfloat(this.key, 'duration_sum', batch.durationSeconds);
    }
    multi
      .exec()
      .catch((error: Error) =>
        this.logger.debug({ err: error.message }, 'delivery stats not written'),
      );
  }
}
