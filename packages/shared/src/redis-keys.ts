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

/** Key under which a worker writes its heartbeat (ms since epoch, with a TTL). */
export function workerHeartbeatKey(queueName: string, workerId: string): string {
  return `godot:${queueName}:heartbeat:${workerId}`;
}

/** Pattern matching every worker heartbeat of a queue, for the server's `/health`. */
export function workerHeartbeatPattern(queueName: string): string {
  return `godot:${queueName}:heartbeat:*`;
}

/**
 * Key under which a worker publishes its delivery metrics: prom-client's
 * `getMetricsAsJSON()` as a JSON string, with a TTL (`MetricsPublisher`).
 */
export function workerMetricsKey(queueName: string, workerId: string): string {
  return `godot:${queueName}:metrics:${workerId}`;
}

/**
 * Sorted set of the worker ids that published metrics, scored by the time of
 * their last publish (ms since epoch): the server reads the recent members and
 * MGETs their `workerMetricsKey`s instead of scanning the keyspace.
 */
export function workerMetricsIndexKey(queueName: string): string {
  return `godot:${queueName}:metrics-index`;
}
