/**
 * Redis names that more than one process must agree on. The first two are the
 * Python Godot's, kept so an upgrade finds its data (godot.md).
 */
export const REDIS_KEYS = {
  /** Hash component → minimum level, shared by every server instance. */
  levels: 'logger_config:levels',
  /** The Python Godot's queue: a list of JSON strings, newest at the head. */
  legacyQueue: 'logs:queue',
} as const;

/**
 * Sorted set of a queue's worker heartbeats: member = worker id, score = time
 * of its last beat (ms since epoch). One key per queue, so the server's
 * `/health` reads the newest beat and the live count in O(log n) instead of
 * scanning the keyspace. Writers drop members older than their TTL, readers
 * ignore members older than their maximum age (`Heartbeat`, `HealthCheck`).
 */
export function workerHeartbeatKey(queueName: string): string {
  return `godot:${queueName}:heartbeats`;
}

/**
 * Key under which a worker publishes its delivery metrics: prom-client's
 * `getMetricsAsJSON()` as a JSON string, with a TTL (`MetricsPublisher`).
 * The hash tag keeps every worker's snapshot and the index in one slot, so
 * that the MULTI and MGET that use them together also work on a cluster.
 */
export function workerMetricsKey(queueName: string, workerId: string): string {
  return `godot:{${queueName}}:metrics:${workerId}`;
}

/**
 * Sorted set of the worker ids that published metrics, scored by the time of
 * their last publish (ms since epoch): the server reads the recent members and
 * MGETs their `workerMetricsKey`s instead of scanning the keyspace.
 */
export function workerMetricsIndexKey(queueName: string): string {
  return `godot:{${queueName}}:metrics-index`;
}
