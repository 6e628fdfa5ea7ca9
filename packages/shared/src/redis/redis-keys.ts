/**
 * The one registry of the Redis names Godot uses: every key, channel and key
 * prefix that more than one process (or a test, or an operator) must agree
 * on is named here, and every user imports it from here. BullMQ's own keys
 * inside a queue (`wait`, `paused`, a job's hash) are BullMQ's: reach them
 * with `queue.toKey(...)`, or {@link bullmqKey} without a `Queue` at hand.
 *
 * `levels` and `legacyQueue` are the Python Godot's names, kept so that an
 * upgrade finds its data (docs/product.md, "Upgrade from the Python Godot").
 */
export const REDIS_KEYS = {
  /** Hash component → minimum level, shared by every server instance. */
  levels: 'logger_config:levels',
  /** Pub/sub channel on which a level change is announced to every server (`LevelStore`). */
  levelsChanged: 'logger_config:levels:changed',
  /** The Python Godot's queue: a list of JSON strings, newest at the head. */
  legacyQueue: 'logs:queue',
  /** List in which the legacy migration stages one chunk of `legacyQueue` while it queues it. */
  legacyStaging: 'logs:queue:migrating',
  /** Lock (SET NX PX) that keeps two workers from migrating `legacyQueue` at once. */
  legacyMigrationLock: 'logs:queue:migration-lock',
} as const;

/**
 * BullMQ's default key prefix: on one Redis, every queue shard lives under it,
 * shard 0 being the classic `bull:<QUEUE_NAME>` queue (`queueShards`).
 */
export const BULLMQ_PREFIX = 'bull';

/**
 * The key prefix of queue shard `index` on a Redis Cluster: its hash tag
 * `{godot:<index>}` puts all of the shard's keys in one slot, as BullMQ needs,
 * and does not depend on QUEUE_SHARDS (`queueShards`). `'*'` makes a KEYS
 * pattern that matches every shard.
 */
export function clusterShardPrefix(index: number | '*'): string {
  return `{godot:${index}}`;
}

/**
 * A key of BullMQ's inside a queue, as `queue.toKey(suffix)` names it:
 * `<prefix>:<queueName>:<suffix>` (`wait`, `paused`, a job id, …). For
 * tests and tools that read Redis without opening the queue.
 */
export function bullmqKey(queueName: string, suffix: string, prefix = BULLMQ_PREFIX): string {
  return `${prefix}:${queueName}:${suffix}`;
}

/**
 * The hash in which the queue bound keeps its account of a queue's waiting
 * entries (fields described in queue/bound/bound-account.ts). It lives under
 * the queue's prefix, so on a cluster it shares the queue's slot and one
 * MULTI or script can use both.
 */
export function boundAccountKey(queue: { toKey(suffix: string): string }): string {
  return queue.toKey('godot-bound');
}

/**
 * The sorted set of a queue's /mcp sessions: member = session id, score =
 * when it was last seen (ms since the epoch). One key, so it lives in one
 * slot of a Redis Cluster and every MULTI on it stays in it.
 */
export function mcpSessionsKey(queueName: string): string {
  return `godot:${queueName}:mcp-sessions`;
}

/**
 * The one sorted set of a queue's live workers: member = worker id, score =
 * time of its last beat (ms since epoch), written by the worker's
 * `WorkerPresence`. One key per queue, read without a SCAN by both of the
 * server's views of the workers: `/health` takes the newest beat and the live
 * count, `/metrics` the ids whose `workerMetricsKey` snapshots it sums.
 * Writers drop members older than their TTL, readers ignore members older
 * than their own maximum age. The key carries no hash tag: on a cluster it is
 * only ever used alone (its MULTI and reads touch no other key).
 */
export function workerHeartbeatKey(queueName: string): string {
  return `godot:${queueName}:heartbeats`;
}

/**
 * Key under which a worker publishes its delivery metrics: prom-client's
 * `getMetricsAsJSON()` as a JSON string, with a TTL (`WorkerPresence`). The
 * hash tag keeps every worker's snapshot of a queue in one slot, so that the
 * server's MGET of them all also works on a cluster.
 */
export function workerMetricsKey(queueName: string, workerId: string): string {
  return `godot:{${queueName}}:metrics:${workerId}`;
}

/**
 * The recent window of a queue shard (docs/data-path.md#recent-window): a
 * Redis Stream with one record per flush, under the queue's prefix so that
 * on a cluster it shares the shard's slot and the script that appends to a
 * job also writes it.
 */
export function recentWindowKey(queue: { toKey(suffix: string): string }): string {
  return queue.toKey('godot-recent');
}

/**
 * The recent window's account, beside it: `seq` counts the entries ever
 * added (each record holds the seq of its first entry, so a reader knows
 * exactly how many it missed), `bytes` the serialized bytes held now.
 */
export function recentAccountKey(queue: { toKey(suffix: string): string }): string {
  return queue.toKey('godot-recent-account');
}
