import type { Config } from '../config/config.js';
import { BULLMQ_PREFIX, clusterShardPrefix } from '../redis/redis-keys.js';

/** Where one shard's BullMQ queue lives: its name and key prefix. */
export interface QueueShard {
  /** 0 … QUEUE_SHARDS - 1. */
  index: number;
  /** BullMQ queue name. */
  name: string;
  /** BullMQ key prefix (`<prefix>:<name>:wait`, …). */
  prefix: string;
}

/**
 * The BullMQ queues the entries are spread over (docs/product.md#shards-and-redis-cluster).
 *
 * - On a cluster, BullMQ needs each queue's keys in one hash slot: shard `i`
 *   is `QUEUE_NAME` under the prefix `{godot:i}`, whose hash tag picks the
 *   slot, so the shards land on different masters. The tag does not depend on
 *   QUEUE_SHARDS: raising it leaves the existing shards where they are.
 * - On one Redis, shard 0 is the classic `bull:<QUEUE_NAME>` queue, so a
 *   single-Redis setup is unchanged and an upgrade finds its jobs; shard `i`
 *   is the queue `<QUEUE_NAME>-<i>`.
 *
 * Lowering QUEUE_SHARDS strands what waits in the shards dropped: drain them
 * first (README).
 */
export function queueShards(
  config: Pick<Config, 'QUEUE_NAME' | 'QUEUE_SHARDS' | 'REDIS_CLUSTER'>,
): QueueShard[] {
  return Array.from({ length: config.QUEUE_SHARDS }, (_, index) =>
    config.REDIS_CLUSTER
      ? { index, name: config.QUEUE_NAME, prefix: clusterShardPrefix(index) }
      : {
          index,
          name: index === 0 ? config.QUEUE_NAME : `${config.QUEUE_NAME}-${index}`,
          prefix: BULLMQ_PREFIX,
        },
  );
}

/**
 * The largest share of `total` each of `shards` shards may hold so that
 * together they never exceed it (at least 1): MAX_QUEUE_SIZE and
 * MAX_QUEUE_BYTES are split evenly over the shards.
 */
export function shardShare(total: number, shards: number): number {
  return Math.max(1, Math.floor(total / shards));
}
