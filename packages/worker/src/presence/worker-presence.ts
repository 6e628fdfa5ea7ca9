import {
  type Logger,
  type RedisConnection,
  withDefaults,
  withTimeout,
  workerHeartbeatKey,
  workerMetricsKey,
} from '@godot/shared';
import type { Registry } from 'prom-client';

/** Options of `WorkerPresence`. */
export interface WorkerPresenceOptions {
  redis: RedisConnection;
  queueName: string;
  workerId: string;
  /** What to publish: the worker's delivery metrics (`WorkerMetrics.delivery`). */
  registry: Registry;
  logger: Logger;
  /** How often the worker beats and publishes its metrics. @default 5000 */
  intervalMs?: number;
  /**
   * How long a beat counts: members older than this are dropped at each beat,
   * and the whole set expires this long after the last beat of any worker.
   * @default 6 × intervalMs
   */
  beatTtlMs?: number;
  /**
   * How long a metrics snapshot outlives its last refresh: a worker that died
   * without `stop()` still counts in the server's sum for this long.
   * @default 3 × intervalMs
   */
  snapshotTtlMs?: number;
  /** `stop()` waits this long for Redis to forget this worker, then gives up. @default 1000 */
  stopTimeoutMs?: number;
}

/**
 * Tells the server that this worker is alive, and what it delivered. Every
 * interval it scores its id with the time in the queue's one sorted set of
 * live workers (`workerHeartbeatKey`) and writes its delivery metrics,
 * `registry.getMetricsAsJSON()`, to `workerMetricsKey` with a TTL. The server
 * reads that set for both of its views of the workers, without a SCAN:
 * `/health` takes the newest beat and the live count, and `/metrics` sums
 * the snapshots of the recent members with prom-client's
 * `AggregatorRegistry.aggregate` (workers listen on 127.0.0.1 and may run on
 * other hosts: the server's port is the only one Prometheus reaches).
 *
 * The beat and the snapshot are two commands, not one MULTI: on a cluster
 * the set and the snapshots live in different slots (see `redis-keys.ts`).
 *
 * Off the hot path (a few commands per interval, never per batch) and fire
 * and forget. Nothing is written, or queued in ioredis, whose worker
 * connection has no per-request limit, while Redis is away: a beat or a
 * snapshot that lands late would claim a liveness, or counts, long gone.
 */
export class WorkerPresence {
  private readonly options: Required<WorkerPresenceOptions>;
  private readonly beatKey: string;
  private readonly snapshotKey: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: WorkerPresenceOptions) {
    const intervalMs = options.intervalMs ?? 5000;
    this.options = withDefaults(
      {
        intervalMs,
        beatTtlMs: intervalMs * 6,
        snapshotTtlMs: intervalMs * 3,
        stopTimeoutMs: 1000,
      },
      options,
    );
    const { beatTtlMs, snapshotTtlMs } = this.options;
    if (!(this.options.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    if (!(beatTtlMs > intervalMs && snapshotTtlMs > intervalMs)) {
      throw new RangeError('TTLs must be longer than intervalMs, or a live worker would flicker');
    }
    this.beatKey = workerHeartbeatKey(options.queueName);
    this.snapshotKey = workerMetricsKey(options.queueName, options.workerId);
  }

  /** Beats and publishes now, then every interval. */
  start(): void {
    const tick = () => {
      this.beat().catch((error: Error) =>
        this.options.logger.debug({ err: error.message }, 'presence: beat not written'),
      );
      this.publish().catch((error: Error) =>
        this.options.logger.debug({ err: error.message }, 'presence: metrics not published'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * Stops, and removes this worker from the set and its snapshot, so that
   * `/health` counts it gone and its counts leave the sum at once. Bounded:
   * with Redis away it returns at once, with Redis frozen it gives up after
   * `stopTimeoutMs`; the TTLs then remove both.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const { redis, workerId, logger, stopTimeoutMs } = this.options;
    // An offline-queued command would hold close() until Redis returns.
    if (redis.status !== 'ready') return;
    await withTimeout(
      Promise.all([redis.zrem(this.beatKey, workerId), redis.del(this.snapshotKey)]),
      stopTimeoutMs,
    ).catch((error: Error) => logger.debug({ err: error.message }, 'presence: not removed'));
  }

  private async beat(): Promise<void> {
    const { redis, workerId, beatTtlMs } = this.options;
    if (this.stopped || redis.status !== 'ready') return;
    const now = Date.now();
    await redis
      .multi()
      .zadd(this.beatKey, now, workerId)
      // Members of workers that died without stop(): whoever beats keeps the set small.
      .zremrangebyscore(this.beatKey, '-inf', now - beatTtlMs)
      // And when every worker is gone, the set goes too.
      .pexpire(this.beatKey, beatTtlMs)
      .exec();
  }

  private async publish(): Promise<void> {
    const { redis, registry, snapshotTtlMs } = this.options;
    if (this.stopped || redis.status !== 'ready') return;
    const snapshot = JSON.stringify(await registry.getMetricsAsJSON());
    // stop() may have run while the snapshot was taken: do not bring it back.
    if (this.stopped) return;
    await redis.set(this.snapshotKey, snapshot, 'PX', snapshotTtlMs);
  }
}
