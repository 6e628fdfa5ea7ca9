import { type Level, parseLevel, REDIS_KEYS } from '@godot/shared';
import type { Redis } from 'ioredis';

/**
 * Per-component minimum levels in the Redis hash `logger_config:levels` (the
 * Python Godot's key, so levels survive an upgrade). There is no local cache:
 * the ingest reads the levels of a whole flush in one HMGET, so a change made
 * through any server instance applies to the very next `logger_log` everywhere.
 */
export class LevelStore {
  constructor(
    private readonly redis: Redis,
    private readonly defaultLevel: Level,
  ) {}

  /** Effective minimum level of each component, in order (one round trip). */
  async minimumLevels(components: readonly string[]): Promise<Level[]> {
    if (components.length === 0) return [];
    const stored = await this.redis.hmget(REDIS_KEYS.levels, ...components);
    // A value that is not a level (hand-edited hash) falls back to the default.
    return stored.map(
      (value) => (value === null ? undefined : parseLevel(value)) ?? this.defaultLevel,
    );
  }

  /** Sets a component's level; returns the previous effective level. */
  async set(component: string, level: Level): Promise<Level> {
    const [[, previous] = []] =
      (await this.redis
        .multi()
        .hget(REDIS_KEYS.levels, component)
        .hset(REDIS_KEYS.levels, component, level)
        .exec()) ?? [];
    return (typeof previous === 'string' ? parseLevel(previous) : undefined) ?? this.defaultLevel;
  }
}
