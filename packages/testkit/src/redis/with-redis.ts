import { Redis } from 'ioredis';

/** Options of {@link withRedis}. */
export interface WithRedisOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** Bound on connecting and on each command's reply. @default 2000 */
  timeoutMs?: number;
}

/**
 * Runs `use` on a fresh ioredis connection to one Redis (a standalone server
 * or one cluster node) and closes it afterwards, e.g.
 * `withRedis(port, (redis) => redis.config('GET', 'appendonly'))`.
 *
 * Made for probing a Redis a test may have frozen, killed or be starting:
 * it never waits for a connection or retries a command. A refused
 * connection rejects at once, a frozen server once `timeoutMs` has passed,
 * and a server still loading its AOF answers with its `LOADING` error.
 */
export async function withRedis<T>(
  port: number,
  use: (redis: Redis) => Promise<T>,
  options: WithRedisOptions = {},
): Promise<T> {
  const { host = '127.0.0.1', timeoutMs = 2000 } = options;
  const redis = new Redis({
    host,
    port,
    // Connect explicitly below, so that a failed connect rejects here.
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // One connection, one try: no reconnect, no command queued while offline.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Without the ready check a loading server answers `-LOADING` instead of
    // holding connect() until it is done.
    enableReadyCheck: false,
  });
  let connectError: Error | undefined;
  // Also keeps ioredis from printing "Unhandled error event".
  redis.on('error', (error: Error) => {
    connectError ??= error;
  });
  try {
    try {
      await redis.connect();
    } catch (error) {
      // ioredis rejects with "Connection is closed."; the cause is in the error event.
      throw connectError ?? error;
    }
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}
