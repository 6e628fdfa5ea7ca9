/**
 * The one file that relies on BullMQ's or ioredis's internals. Nothing else
 * in Godot may reach past their documented API: on an upgrade of either
 * library, check each function below against the new version (the tests that
 * cover each are named in its comment), and nothing else.
 */
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { RedisConnection } from './redis-connection.js';

/** One MULTI on a queue's connection that takes BullMQ's adds and plain ioredis commands. */
export interface QueueTransaction {
  /**
   * The transaction as ioredis sees it, for Godot's own commands. Do not call
   * `hset` on it: BullMQ replaced it with a `hset(key, {field: value})` form.
   */
  readonly commands: ChainableCommander;
  /** Queues BullMQ's own add of one job (its `addStandardJob` script); its reply is the job id. */
  addJob(name: string, data: unknown, opts: JobsOptions): void;
  /** Sends the MULTI; `null` when Redis discarded it. */
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * Opens a MULTI on `queue`'s connection in which jobs are added together
 * with Godot's own commands (the bound's account), so that Redis takes all
 * or none.
 *
 * Why internals: BullMQ's public `addBulk` sends its own MULTI and takes no
 * extra commands. `Job#addJob(transaction)` is what `Queue.add` uses inside;
 * it is typed public but documented for BullMQ's own use. BullMQ's
 * transaction (`IRedisTransaction`) is ioredis's `ChainableCommander` with
 * `runCommand` added (`augmentTransaction` in BullMQ's ioredis-client.ts),
 * so the cast is true while BullMQ wraps ioredis that way.
 *
 * On upgrade, check: `Job#addJob` still takes a transaction and queues one
 * command whose reply is the id; `queue.client` still proxies the ioredis
 * connection given as `connection`; its `multi()` still returns the ioredis
 * transaction itself. Covered by add-log-jobs.test.ts and ingest.test.ts
 * ("loads lost scripts again").
 */
export async function openQueueTransaction(queue: Queue): Promise<QueueTransaction> {
  const multi = (await queue.client).multi();
  return {
    commands: multi as unknown as ChainableCommander,
    addJob: (name, data, opts) => {
      void new Job(queue, name, data, opts).addJob(multi);
    },
    exec: () => multi.exec() as Promise<[Error | null, unknown][] | null>,
  };
}

/**
 * The ioredis connection under `queue` (the one passed as its `connection`).
 *
 * Why internals: `queue.client` is typed as BullMQ's adapter interface; in
 * BullMQ 5.81 it is a Proxy that forwards every other property and method to
 * the ioredis instance. On upgrade, check that it still does.
 */
export async function queueConnection(queue: Queue): Promise<RedisConnection> {
  return (await queue.client) as unknown as RedisConnection;
}

/**
 * The Lua source of every script defined on `redis` with `defineCommand`
 * (BullMQ's and Godot's), to load them again after a node lost its cache.
 *
 * Why internals: ioredis keeps them in the undocumented `scriptsSet`, and
 * offers no public way to list them or to forget that it sent one on a
 * socket. On upgrade, check that `scriptsSet` still maps a name to `{lua}`
 * (for a `Cluster` too). Covered by ingest.test.ts ("loads lost scripts again").
 */
export function definedScripts(redis: RedisConnection): string[] {
  const scripts = (redis as unknown as { scriptsSet?: Record<string, { lua: string }> }).scriptsSet;
  return Object.values(scripts ?? {}).map((script) => script.lua);
}

/**
 * Moves a delayed job of `queue` to the wait list now (BullMQ's `promote`),
 * knowing only its id; rejects when it is no longer delayed.
 *
 * Why internals: `Job#promote` is public, but BullMQ offers it only on a
 * `Job` read back from Redis, and a log job holds up to BATCH_MAX_BYTES.
 * The `promote` script reads nothing but the job's id and the queue's keys,
 * so a `Job` made with the id alone is enough. On upgrade, check that
 * `Job#promote` still uses only `this.id` and the queue. Covered by
 * job-writer.test.ts.
 */
export async function promoteJob(queue: Queue, id: string): Promise<void> {
  await new Job(queue, '', {}, {}, id).promote();
}
