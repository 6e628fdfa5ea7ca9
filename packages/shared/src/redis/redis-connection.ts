import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { type Config, redisSeeds } from '../config/config.js';
import { definedScripts } from './library-internals.js';

/**
 * What Godot talks to Redis through: one `Redis`, or a `Cluster` when
 * REDIS_CLUSTER is set. Both speak the same commands; what differs is that on
 * a cluster every multi-key command, MULTI and script must stay in one hash
 * slot, which Godot's key names are chosen for (queue-shards.ts, redis-keys.ts).
 */
export type RedisConnection = Redis | Cluster;

/** Options of `createRedisConnection`. */
export interface RedisConnectionOptions {
  /**
   * Options of each node connection (for a cluster, `redisOptions`). Host and
   * port come from REDIS_URL, and so do the user name, password and TLS
   * (`rediss://`); on one Redis, the database number too (a cluster has only 0).
   */
  redis?: RedisOptions;
  /**
   * Whether commands wait in ioredis's queue while the connection is down.
   * The server refuses at once, so that a call fails within its second
   * (docs/product.md, "Redis outage"); workers wait. @default true
   */
  enableOfflineQueue?: boolean;
}

/** Opens REDIS_URL: a single Redis, or with REDIS_CLUSTER a cluster from its seed nodes. */
export function createRedisConnection(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER'>,
  options: RedisConnectionOptions = {},
): RedisConnection {
  const seeds = redisSeeds(config.REDIS_URL);
  const enableOfflineQueue = options.enableOfflineQueue ?? true;
  if (!config.REDIS_CLUSTER) {
    return new Redis(seeds[0] ?? 'redis://127.0.0.1:6379', {
      ...options.redis,
      enableOfflineQueue,
    });
  }
  const first = new URL(seeds[0] ?? '');
  // The cluster reconnects its nodes itself (`clusterRetryStrategy`).
  const {
    retryStrategy: _perNode,
    enableOfflineQueue: _queue,
    ...nodeOptions
  } = options.redis ?? {};
  const clusterOptions: ClusterOptions = {
    enableOfflineQueue,
    redisOptions: {
      ...nodeOptions,
      // ioredis `Cluster` takes credentials and TLS once, for every node.
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    // While no seed answers (all of them restarting, say), ask again soon,
    // then every 2 s, for ever: never give up on the queue.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  };
  return new Cluster(
    seeds.map((seed) => {
      const url = new URL(seed);
      return { host: url.hostname, port: Number(url.port || 6379) };
    }),
    clusterOptions,
  );
}

/** The connections to every master of a cluster, or the one Redis. */
export function masters(redis: RedisConnection): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

/**
 * The code a Redis error reply starts with (`OOM`, `NOSCRIPT`, …), or '' for
 * anything else: decisions follow the protocol's code, not the message text.
 */
export function redisErrorCode(error: unknown): string {
  return error instanceof Error && error.name === 'ReplyError'
    ? (error.message.split(' ', 1)[0] ?? '')
    : '';
}

/** True for a `Cluster` connection. */
export function isCluster(redis: RedisConnection): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/**
 * A second connection like `redis` (a subscriber, say), with its own
 * offline-queue and resubscribe behaviour.
 */
export function duplicateConnection(
  redis: RedisConnection,
  options: { enableOfflineQueue: boolean; autoResubscribe: boolean },
): RedisConnection {
  if (!isCluster(redis)) return redis.duplicate(options);
  return redis.duplicate(undefined, {
    enableOfflineQueue: options.enableOfflineQueue,
    redisOptions: { ...redis.options.redisOptions, autoResubscribe: options.autoResubscribe },
  });
}

/**
 * Loads every script defined on `redis` (BullMQ's, Godot's) into each master
 * (or the one Redis) with SCRIPT LOAD, so that an EVALSHA sent after a node
 * lost its script cache (a restart) finds them.
 */
export async function reloadScripts(redis: RedisConnection): Promise<void> {
  const scripts = definedScripts(redis);
  await Promise.all(
    masters(redis).flatMap((node) => scripts.map((lua) => node.script('LOAD', lua))),
  );
}
