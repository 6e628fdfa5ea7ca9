import { bullmqKey, keptEntryCount, type LogEntry, type QueueShard } from '@godot/shared';
import type { Redis } from 'ioredis';

/** Depth of one queue shard, read straight from Redis. */
export interface QueueCounts {
  wait: number;
  active: number;
  delayed: number;
  failed: number;
}

/** One job waiting for delivery: all its entries (arrival order) and how many of the newest it keeps. */
export interface WaitingJob {
  id: string;
  entries: LogEntry[];
  kept: number;
}

const key = (shard: QueueShard, suffix: string) => bullmqKey(shard.name, suffix, shard.prefix);

/**
 * The lengths of a shard's lists, from BullMQ's keys rather than its API, so
 * a test sees exactly what is in Redis.
 */
export async function readQueueCounts(redis: Redis, shard: QueueShard): Promise<QueueCounts> {
  const [wait, active, delayed, failed] = await Promise.all([
    redis.llen(key(shard, 'wait')),
    redis.llen(key(shard, 'active')),
    redis.zcard(key(shard, 'delayed')),
    redis.zcard(key(shard, 'failed')),
  ]);
  return { wait, active, delayed, failed };
}

/**
 * The jobs waiting for delivery in a shard, oldest first, with what each
 * keeps under the queue bound: the wait list, then the delayed jobs that
 * still gather entries (the server's job writer), earliest due first.
 */
export async function readWaitingJobs(redis: Redis, shard: QueueShard): Promise<WaitingJob[]> {
  // BullMQ pushes new jobs at the head: the tail is the oldest.
  const ids = [
    ...(await redis.lrange(key(shard, 'wait'), 0, -1)).reverse(),
    ...(await redis.zrange(key(shard, 'delayed'), 0, -1)),
  ];
  const pipeline = redis.pipeline();
  for (const id of ids) {
    pipeline.hmget(key(shard, id), 'name', 'data');
    // Entries appended while the job gathered them (append-to-job.lua).
    pipeline.lrange(key(shard, `${id}:logs`), 0, -1);
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((id, index) => {
    const [name, data] = (replies[2 * index]?.[1] ?? []) as [string | null, string | null];
    const appended = (replies[2 * index + 1]?.[1] ?? []) as string[];
    // A job of Godot 0.1 holds one entry as its whole data.
    const parsed = JSON.parse(data ?? '{}') as { entries?: LogEntry[] };
    const entries = [
      ...(parsed.entries ?? [parsed as LogEntry]),
      ...appended.flatMap((line) => JSON.parse(line) as LogEntry[]),
    ];
    return { id, entries, kept: keptEntryCount(name ?? '') ?? entries.length };
  });
}
