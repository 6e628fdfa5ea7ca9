import {
  type Level,
  type Logger,
  parseLevel,
  REDIS_KEYS,
  type RedisConnection,
} from '@godot/shared';

/** Options of `LevelStore`. */
export interface LevelStoreOptions {
  /** Commands (HGETALL, HMGET, the MULTI of `set`). */
  redis: RedisConnection;
  /** Level of components never configured. */
  defaultLevel: Level;
  logger: Logger;
  /**
   * Connection used only to SUBSCRIBE to `REDIS_KEYS.levelsChanged`. Without one
   * there is no cache: every flush reads the hash. @default undefined
   */
  subscriber?: RedisConnection;
  /**
   * The cache is also reloaded this often, for edits made to the hash by
   * hand (or by the Python Godot) that announce nothing. @default 10000
   */
  refreshIntervalMs?: number;
}

/**
 * Per-component minimum levels in the Redis hash `logger_config:levels` (the
 * Python Godot's key, so levels survive an upgrade), cached in each server.
 * `set` publishes every change, so it reaches every instance within
 * milliseconds, well inside the 100 ms allowed
 * (docs/product.md#logger_set_level). The cache is trusted only while the
 * subscription is live and the hash has been read since it was (re)made:
 * otherwise each flush reads the levels it needs from Redis, as before.
 */
export class LevelStore {
  private cache: Map<string, Level> | undefined;
  /** Messages that arrived while a reload was in flight, applied after it. */
  private pending: Array<[string, string]> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LevelStoreOptions) {}

  /** Subscribes and loads the cache (no-op without a subscriber). Never throws. */
  async start(): Promise<void> {
    const { subscriber, logger } = this.options;
    if (!subscriber) return;
    subscriber.on('message', (_channel: string, message: string) => this.announced(message));
    // Anything missed while the subscription was down is unknown: stop trusting.
    subscriber.on('close', () => {
      this.cache = undefined;
    });
    subscriber.on('ready', () => void this.subscribe());
    this.refreshTimer = setInterval(() => {
      if (this.cache) void this.reload();
    }, this.options.refreshIntervalMs ?? 10_000);
    this.refreshTimer.unref();
    if (subscriber.status === 'ready') await this.subscribe();
    else logger.debug({}, 'levels: subscriber not connected yet, reading levels per flush');
  }

  /** Unsubscribes and stops refreshing. */
  close(): void {
    this.closed = true;
    clearInterval(this.refreshTimer);
    this.cache = undefined;
  }

  /** True while levels come from the cache. */
  get cached(): boolean {
    return this.cache !== undefined;
  }

  /** Effective minimum level of each component, in order (no round trip while cached). */
  async minimumLevels(components: readonly string[]): Promise<Level[]> {
    if (components.length === 0) return [];
    const cache = this.cache;
    if (cache)
      return components.map((component) => cache.get(component) ?? this.options.defaultLevel);
    const stored = await this.options.redis.hmget(REDIS_KEYS.levels, ...components);
    return stored.map((value) => this.level(value));
  }

  /** Sets a component's level on every instance; returns the previous effective level. */
  async set(component: string, level: Level): Promise<Level> {
    const [[, previous] = []] =
      (await this.options.redis
        .multi()
        .hget(REDIS_KEYS.levels, component)
        .hset(REDIS_KEYS.levels, component, level)
        .publish(REDIS_KEYS.levelsChanged, JSON.stringify([component, level]))
        .exec()) ?? [];
    this.cache?.set(component, level);
    return this.level(typeof previous === 'string' ? previous : null);
  }

  /** A value that is not a level (hand-edited hash) falls back to the default. */
  private level(value: string | null | undefined): Level {
    return (value ? parseLevel(value) : undefined) ?? this.options.defaultLevel;
  }

  private async subscribe(): Promise<void> {
    const { subscriber, logger } = this.options;
    if (!subscriber || this.closed) return;
    try {
      // Subscribed first, then read: a change made in between is announced.
      await subscriber.subscribe(REDIS_KEYS.levelsChanged);
      await this.reload();
    } catch (error) {
      this.cache = undefined;
      logger.warn({ err: String(error) }, 'levels: cannot subscribe, reading levels per flush');
    }
  }

  private async reload(): Promise<void> {
    this.pending ??= [];
    try {
      const hash = await this.options.redis.hgetall(REDIS_KEYS.levels);
      if (this.closed || this.options.subscriber?.status !== 'ready') return;
      const cache = new Map<string, Level>();
      for (const [component, value] of Object.entries(hash)) {
        cache.set(component, this.level(value));
      }
      for (const [component, value] of this.pending) cache.set(component, this.level(value));
      this.cache = cache;
    } catch (error) {
      this.cache = undefined;
      this.options.logger.debug({ err: String(error) }, 'levels: reload failed');
    } finally {
      this.pending = undefined;
    }
  }

  private announced(message: string): void {
    let change: unknown;
    try {
      change = JSON.parse(message);
    } catch {
      change = undefined;
    }
    if (!Array.isArray(change) || typeof change[0] !== 'string' || typeof change[1] !== 'string') {
      void this.reload(); // Not ours to interpret: read the hash.
      return;
    }
    const [component, value] = change as [string, string];
    this.pending?.push([component, value]);
    this.cache?.set(component, this.level(value));
  }
}
