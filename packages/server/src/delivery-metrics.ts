import { BATCH_DURATION_BUCKETS, deliveryStatsKey } from '@godot/shared';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

type Sample = { value: number; labels?: Record<string, string | number>; metricName?: string };
type Family = {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
};

/**
 * Registers the queue-wide delivery metrics, read from the hash every worker
 * adds to (`deliveryStatsKey`) at scrape time: Prometheus reaches the server's
 * port, while workers listen on 127.0.0.1 and may run anywhere. prom-client
 * accepts any object with a `name` and an async `get()`.
 */
export function registerDeliveryMetrics(registry: Registry, redis: Redis, queueName: string): void {
  const key = deliveryStatsKey(queueName);
  let pending: Promise<Record<string, string>> | undefined;
  // One HGETALL per scrape, shared by the four families.
  const read = () => {
    pending ??= redis
      .hgetall(key)
      .catch(() => ({}))
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const num = (stats: Record<string, string>, field: string) => Number(stats[field] ?? 0);
  const family = (
    name: string,
    help: string,
    type: Family['type'],
    values: (s: Record<string, string>) => Sample[],
  ) =>
    registry.registerMetric({
      name,
      get: async (): Promise<Family> => ({
        name,
        help,
        type,
        aggregator: 'sum',
        values: values(await read()),
      }),
    } as never);

  family(
    'godot_queue_delivered_total',
    'Entries Dewey confirmed, all workers of this queue',
    'counter',
    (s) => [{ value: num(s, 'delivered') }],
  );
  family(
    'godot_queue_dead_lettered_total',
    'Entries Dewey refused, moved to the failed set, all workers',
    'counter',
    (s) => [{ value: num(s, 'dead_lettered') }],
  );
  family('godot_queue_batches_total', 'Store attempts by outcome, all workers', 'counter', (s) =>
    ['delivered', 'partial', 'unavailable'].map((outcome) => ({
      value: num(s, `batches:${outcome}`),
      labels: { outcome },
    })),
  );
  family(
    'godot_queue_batch_duration_seconds',
    'Time to store one batch, all workers',
    'histogram',
    (s) => {
      let cumulative = 0;
      const buckets = [...BATCH_DURATION_BUCKETS.map(String), '+Inf'].map((le) => {
        cumulative += num(s, `duration_le:${le}`);
        return {
          metricName: 'godot_queue_batch_duration_seconds_bucket',
          labels: { le },
          value: cumulative,
        };
      });
      return [
        ...buckets,
        { metricName: 'godot_queue_batch_duration_seconds_sum', value: num(s, 'duration_sum') },
        { metricName: 'godot_queue_batch_duration_seconds_count', value: num(s, 'duration_count') },
      ];
    },
  );
}
