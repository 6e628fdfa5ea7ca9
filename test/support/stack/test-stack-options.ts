import { randomUUID } from 'node:crypto';
import { type Config, type Logger, silentLogger, withDefaults } from '@godot/shared';
import type { DeweyEmulatorOptions, RedisServerOptions } from '@godot/testkit';

/** Options of {@link TestStack.start}: one object for every test stack, in-process or not. */
export interface TestStackOptions {
  /**
   * One private redis-server, or a private Redis Cluster (`REDIS_CLUSTER=true`,
   * `REDIS_URL` listing its seeds). @default 'single'
   */
  redis?: 'single' | 'cluster';
  /** Masters of the cluster (with `redis: 'cluster'`). @default 3 */
  masters?: number;
  /** Persistence of every redis-server. @default {} (AOF off) */
  aof?: Pick<RedisServerOptions, 'appendonly' | 'appendfsync'>;
  /**
   * The Dewey emulator, started in this process; `down` starts it stopped
   * (its port kept). `false` starts none: then `env.DEWEY_URL` must point at
   * a Dewey of the caller's. @default {}
   */
  dewey?: (DeweyEmulatorOptions & { down?: boolean }) | false;
  /** The queue is named `<queuePrefix>-<8 random hex digits>`. @default 'test' */
  queuePrefix?: string;
  /**
   * Short Dewey timeouts, retries and job locks ({@link FAST_TIMINGS}), so
   * that faults resolve in a test's time. `false` keeps production's defaults
   * (the bench). @default true
   */
  fastTimings?: boolean;
  /**
   * Environment for every part: read by `loadConfig` for the in-process
   * config, and passed to every process. Wins over the stack's own values.
   * @default {}
   */
  env?: Record<string, string>;
  /** Typed overrides of the in-process config, applied last. Processes do not see them. @default {} */
  config?: Partial<Config>;
  /** The logger of in-process servers and workers. @default silentLogger */
  logger?: Logger;
}

/**
 * Test timings: a Dewey call gives up after 2 s, retries back off from 50 ms
 * to 300 ms, and a killed worker's jobs return after 2 s (the job lock).
 */
export const FAST_TIMINGS: Readonly<Record<string, string>> = {
  DEWEY_TIMEOUT_MS: '2000',
  RETRY_INITIAL_DELAY_MS: '50',
  RETRY_MAX_DELAY_MS: '300',
  WORKER_LOCK_MS: '2000',
};

/** Options with their defaults filled in. */
export type ResolvedTestStackOptions = Required<TestStackOptions>;

/** Spreads the defaults under `options` (an option given as `undefined` keeps its default). */
export function resolveTestStackOptions(options: TestStackOptions): ResolvedTestStackOptions {
  const defaults: ResolvedTestStackOptions = {
    redis: 'single',
    masters: 3,
    aof: {},
    dewey: {},
    queuePrefix: 'test',
    fastTimings: true,
    env: {},
    config: {},
    logger: silentLogger,
  };
  return withDefaults(defaults, options) as ResolvedTestStackOptions;
}

/**
 * The environment every part of a stack shares: the private Redis and Dewey,
 * a fresh queue name, 127.0.0.1, test timings, then the caller's `env`.
 * Ports are not in it: each part gets its own.
 */
export function stackEnv(
  options: ResolvedTestStackOptions,
  redis: { url: string; cluster: boolean },
  deweyUrl: string | undefined,
): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    ...(redis.cluster ? { REDIS_CLUSTER: 'true' } : {}),
    ...(deweyUrl === undefined ? {} : { DEWEY_URL: deweyUrl }),
    QUEUE_NAME: `${options.queuePrefix}-${randomUUID().slice(0, 8)}`,
    HOST: '127.0.0.1',
    WORKER_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...(options.fastTimings ? FAST_TIMINGS : {}),
    ...options.env,
  };
}
