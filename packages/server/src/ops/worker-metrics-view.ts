import {
  type Logger,
  type RedisConnection,
  silentLogger,
  withDefaults,
  withTimeout,
  workerHeartbeatKey,
  workerMetricsKey,
} from '@godot/shared';
import { AggregatorRegistry, type Metric, type Registry } from 'prom-client';

/** One metric family as prom-client's `getMetricsAsJSON()` gives it. */
type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];

/**
 * The queue-wide families the server shows, each the sum over the live workers
 * of one worker metric (`WorkerMetrics.delivery`). The server's names keep the
 * `godot_queue_` prefix so they never clash with a worker's own names.
 */
const QUEUE_FAMILIES = [
  {
    from: 'godot_logs_delivered_total',
    name: 'godot_queue_delivered_total',
    type: 'counter',
    help: 'Entries Dewey confirmed, summed over the live workers of this queue',
  },
  {
    from: 'godot_batches_total',
    name: 'godot_queue_batches_total',
    type: 'counter',
    help: 'Store attempts by outcome, summed over the live workers of this queue',
  },
  {
    from: 'godot_batch_duration_seconds',
    name: 'godot_queue_batch_duration_seconds',
    type: 'histogram',
    help: 'Time to store one batch, summed over the live workers of this queue',
  },
  {
    from: 'godot_logs_dead_lettered_total',
    name: 'godot_queue_dead_lettered_total',
    type: 'counter',
    help: 'Entries moved to the failed set by reason, summed over the live workers of this queue',
  },
] as const;

/** Options of `registerWorkerMetricsView`. */
export interface WorkerMetricsViewOptions {
  /** The server's registry, served at `/metrics`. */
  registry: Registry;
  redis: RedisConnection;
  queueName: string;
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Workers that last beat longer ago than this are not read; keep it at
   * least the workers' snapshot TTL (`WorkerPresence`, 15 s by default).
   * @default 15000
   */
  maxAgeMs?: number;
  /** A scrape waits this long for Redis, then shows the families without samples. @default 500 */
  timeoutMs?: number;
}

/**
 * Registers on the server's registry the delivery metrics of every live worker
 * of the queue, summed with prom-client's `AggregatorRegistry.aggregate`. At
 * scrape time it reads the ids that beat recently from the one set of live
 * workers, `workerHeartbeatKey` (ZRANGE BYSCORE, no SCAN), MGETs their
 * `workerMetricsKey` snapshots and renames the families to `godot_queue_*`.
 *
 * The sum covers live workers only: a worker that stops deletes its snapshot,
 * one that dies stops counting when its snapshot's TTL runs out (15 s by
 * default). Its counts then leave the sum, which Prometheus reads as a counter
 * reset, as it would a worker restart. When Redis is away or slow the scrape
 * still answers, within `timeoutMs`, with these families empty.
 */
export function registerWorkerMetricsView(options: WorkerMetricsViewOptions): void {
  const { registry, redis, queueName, logger, maxAgeMs, timeoutMs } = withDefaults(
    { logger: silentLogger, maxAgeMs: 15_000, timeoutMs: 500 },
    options,
  );
  const liveKey = workerHeartbeatKey(queueName);

  const readSum = async (): Promise<Map<string, MetricJson>> => {
    const ids = await redis.zrange(liveKey, Date.now() - maxAgeMs, '+inf', 'BYSCORE');
    if (ids.length === 0) return new Map();
    const snapshots = await redis.mget(ids.map((id) => workerMetricsKey(queueName, id)));
    const published = snapshots.flatMap((json) => {
      if (json === null) return []; // expired since the ZRANGE
      try {
        return [renamed(json)];
      } catch (error) {
        logger.debug({ err: String(error) }, 'metrics: unreadable worker snapshot skipped');
        return [];
      }
    });
    const sum = await AggregatorRegistry.aggregate(published).getMetricsAsJSON();
    return new Map(sum.map((family) => [family.name, family]));
  };

  // One read per scrape, shared by the families (prom-client asks them all at once).
  let pending: Promise<Map<string, MetricJson>> | undefined;
  const read = () => {
    pending ??= withTimeout(readSum(), timeoutMs)
      .catch((error: Error) => {
        logger.debug({ err: error.message }, 'metrics: worker metrics not read');
        return new Map<string, MetricJson>();
      })
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };

  for (const { name, type, help } of QUEUE_FAMILIES) {
    // prom-client serves any registered object with a `name` and a `get()`
    // (its own `aggregate` registers such wrappers); the typings want a class.
    const family = {
      name,
      get: async () => ({ name, help, type, values: (await read()).get(name)?.values ?? [] }),
    };
    registry.registerMetric(family as unknown as Metric);
  }
}

/**
 * One worker's snapshot with the families the server shows renamed (histogram
 * samples carry their own `_bucket`/`_sum`/`_count` names) and summed; the
 * rest dropped.
 */
function renamed(json: string): MetricJson[] {
  const families = JSON.parse(json) as MetricJson[];
  if (!Array.isArray(families)) throw new TypeError('a worker metrics snapshot is not an array');
  return families.flatMap((family) => {
    const queue = QUEUE_FAMILIES.find((f) => f.from === family.name);
    if (queue === undefined) return [];
    const values = family.values.map((value) => {
      const metricName = (value as { metricName?: string }).metricName;
      return metricName === undefined
        ? value
        : { ...value, metricName: queue.name + metricName.slice(queue.from.length) };
    });
    return [{ ...family, name: queue.name, help: queue.help, aggregator: 'sum' as const, values }];
  });
}
