import { type Logger, type RedisConnection, withDefaults, workerHeartbeatKey } from '@godot/shared';

/** Options of `Heartbeat`. */
export interface HeartbeatOptions {
  redis: RedisConnection;
  queueName: string;
  workerId: string;
  logger: Logger;
  /** @default 5000 */
  intervalMs?: number;
  /**
   * How long a beat counts: members older than this are dropped at each beat,
   * and the whole set expires this long after the last beat of any worker.
   * @default 6 × intervalMs
   */
  ttlMs?: number;
  /** `stop()` waits this long for Redis to remove this worker, then gives up. @default 1000 */
  stopTimeoutMs?: number;
}

/**
 * Tells the server's `/health` that this worker is alive: every interval it
 * scores its id with the time in the queue's `workerHeartbeatKey` sorted set
 * (one key per queue, read without a SCAN).
 *
 * Fire and forget, and nothing is written (or queued in ioredis, whose
 * worker connection has no per-request limit) while Redis is away: a beat
 * that lands late would claim a liveness that is long gone.
 */
export class Heartbeat {
  private readonly options: Required<HeartbeatOptions>;
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: HeartbeatOptions) {
    const intervalMs = options.intervalMs ?? 5000;
    this.options = withDefaults(
      { intervalMs, ttlMs: intervalMs * 6, stopTimeoutMs: 1000 },
      options,
    );
    if (!(this.options.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    if (!(this.options.ttlMs > this.options.intervalMs)) {
      throw new RangeError('ttlMs must be longer than intervalMs, or a live worker would flicker');
    }
    this.key = workerHeartbeatKey(options.queueName);
  }

  /** Beats now and then every interval. */
  start(): void {
    const beat = () => {
      this.beat().catch((error: Error) =>
        this.options.logger.debug({ err: error.message }, 'heartbeat: not written'),
      );
    };
    beat();
    this.timer = setInterval(beat, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * Stops beating and removes this worker from the set, so `/health` counts
   * it gone at once. Bounded: with Redis away or frozen it gives up after
   * `stopTimeoutMs` (or at once) and the member ages out by itself.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const { redis, workerId, logger, stopTimeoutMs } = this.options;
    if (redis.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.debug({ timeout_ms: stopTimeoutMs }, 'heartbeat: not removed, Redis did not answer');
        resolve();
      }, stopTimeoutMs);
    });
    const removed = redis
      .zrem(this.key, workerId)
      .then(() => undefined)
      .catch((error: Error) => logger.debug({ err: error.message }, 'heartbeat: not removed'));
    await Promise.race([removed, gaveUp]).finally(() => clearTimeout(timer));
  }

  private async beat(): Promise<void> {
    const { redis, workerId, ttlMs } = this.options;
    if (this.stopped || redis.status !== 'ready') return;
    const now = Date.now();
    await redis
      .multi()
      .zadd(this.key, now, workerId)
      // Members of workers that died without stop(): whoever beats keeps the set small.
      .zremrangebyscore(this.key, '-inf', now - ttlMs)
      // And when every worker is gone, the set goes too.
      .pexpire(this.key, ttlMs)
      .exec();
  }
}
