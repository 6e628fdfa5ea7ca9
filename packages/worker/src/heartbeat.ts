import { type Logger, workerHeartbeatKey } from '@godot/shared';
import type { Redis } from 'ioredis';

/** Options of `Heartbeat`. */
export interface HeartbeatOptions {
  redis: Redis;
  queueName: string;
  workerId: string;
  logger: Logger;
  /** @default 5000 */
  intervalMs?: number;
}

/**
 * Writes "this worker is alive" (ms since epoch) to Redis every few seconds,
 * with a TTL of six intervals so a dead worker's key disappears by itself.
 * The server's `/health` reports the newest one.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;
  private readonly intervalMs: number;

  constructor(private readonly options: HeartbeatOptions) {
    this.key = workerHeartbeatKey(options.queueName, options.workerId);
    this.intervalMs = options.intervalMs ?? 5000;
  }

  /** Beats now and then every interval. */
  start(): void {
    const beat = () => {
      this.options.redis
        .set(this.key, Date.now(), 'PX', this.intervalMs * 6)
        .catch((error: Error) =>
          this.options.logger.debug({ err: error.message }, 'heartbeat: not written'),
        );
    };
    beat();
    this.timer = setInterval(beat, this.intervalMs);
    this.timer.unref();
  }

  /** Stops beating and removes the key. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.options.redis.del(this.key).catch(() => 0);
  }
}
