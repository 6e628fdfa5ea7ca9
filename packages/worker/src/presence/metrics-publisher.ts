import {
  type Logger,
  type RedisConnection,
  withDefaults,
  withTimeout,
  workerMetricsIndexKey,
  workerMetricsKey,
} from '@godot/shared';
import type { Registry } from 'prom-client';

/** Options of `MetricsPublisher`. */
export interface MetricsPublisherOptions {
  redis: RedisConnection;
  queueName: string;
  workerId: string;
  /** What to publish: the worker's delivery metrics (`WorkerMetrics.delivery`). */
  registry: Registry;
  logger: Logger;
  /** @default 5000 */
  intervalMs?: number;
  /**
   * How long a snapshot outlives its last refresh: a worker that died without
   * `stop()` still counts in the server's sum for this long. @default 3 × intervalMs
   */
  ttlMs?: number;
}

/**
 * Publishes the worker's delivery metrics for the server's `/metrics`, the
 * only port Prometheus reaches (workers listen on 127.0.0.1 and may run on
 * other hosts). Every interval it writes `registry.getMetricsAsJSON()` to
 * `workerMetricsKey` with a TTL and scores its id in `workerMetricsIndexKey`
 * with the time, so the server reads the live workers without a SCAN and sums
 * them with prom-client's `AggregatorRegistry.aggregate`.
 *
 * Off the hot path: one MULTI per interval, not per batch. Fire and forget: a
 * snapshot not written costs a few seconds of staleness, never an entry, and
 * nothing is written (or queued in ioredis) while Redis is away.
 */
export class MetricsPublisher {
  private readonly options: Required<MetricsPublisherOptions>;
  private readonly key: string;
  private readonly indexKey: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: MetricsPublisherOptions) {
    const intervalMs = options.intervalMs ?? 5000;
    this.options = withDefaults({ intervalMs, ttlMs: intervalMs * 3 }, options);
    if (!(this.options.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    if (!(this.options.ttlMs > this.options.intervalMs)) {
      throw new RangeError('ttlMs must be longer than intervalMs, or live workers would flicker');
    }
    this.key = workerMetricsKey(options.queueName, options.workerId);
    this.indexKey = workerMetricsIndexKey(options.queueName);
  }

  /** Publishes now and then every interval. */
  start(): void {
    const publish = () => {
      this.publish().catch((error: Error) =>
        this.options.logger.debug({ err: error.message }, 'metrics: not published'),
      );
    };
    publish();
    this.timer = setInterval(publish, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops publishing and removes this worker's snapshot, so its counts leave the sum now. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const { redis, workerId, logger } = this.options;
    // Redis away: the TTL removes the snapshot; an offline-queued DEL would hold close().
    if (redis.status !== 'ready') return;
    // Redis frozen: give up after a second; the TTL removes the snapshot.
    await withTimeout(redis.multi().del(this.key).zrem(this.indexKey, workerId).exec(), 1000).catch(
      (error: Error) => logger.debug({ err: error.message }, 'metrics: not removed'),
    );
  }

  private async publish(): Promise<void> {
    const { redis, registry, workerId, ttlMs } = this.options;
    // The worker's connection queues commands while Redis is away; snapshots
    // piled up there would be stale when they land.
    if (redis.status !== 'ready') return;
    const snapshot = JSON.stringify(await registry.getMetricsAsJSON());
    // stop() may have run while the snapshot was taken: do not bring it back.
    if (this.stopped) return;
    const now = Date.now();
    await redis
      .multi()
      .set(this.key, snapshot, 'PX', ttlMs)
      .zadd(this.indexKey, now, workerId)
      // Members of workers gone for a TTL: whoever publishes keeps the index small.
      .zremrangebyscore(this.indexKey, '-inf', now - ttlMs)
      .exec();
  }
}
