import { workerHeartbeatPattern } from './redis-keys.js';

/**
 * Delivery totals of all the workers of a queue, kept in one Redis hash so the
 * server's `/metrics` (the port Prometheus reaches in the container) can show
 * them: workers listen on 127.0.0.1 only and may run anywhere.
 * Fields: `delivered`, `dead_lettered`, `batches:<outcome>`, `duration_sum`,
 * `duration_count` and `duration_le:<bucket>` (not cumulative; the reader sums).
 */
export function deliveryStatsKey(queueName: string): string {
  return workerHeartbeatPattern(queueName).replace('heartbeat:*', 'delivery');
}

/** Upper bounds (seconds) of the batch duration histogram. */
export const BATCH_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
] as const;

/** The bucket a duration falls in, as the hash field's suffix (`+Inf` above the last). */
export function durationBucket(seconds: number): string {
  const bound = BATCH_DURATION_BUCKETS.find((le) => seconds <= le);
  return bound === undefined ? '+Inf' : String(bound);
}
