import { randomUUID } from 'node:crypto';
import { LOG_QUEUE_STREAMS, type LogEntry, type LogJobData } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** What {@link privateQueues} gives a test file. */
export interface PrivateQueues {
  /** The file's plain connection (after `beforeAll`). */
  redis(): Redis;
  /** A fresh queue on it, named `<prefix>-<uuid>`, closed after the file. */
  queue(): Queue<LogJobData>;
}

/**
 * A private redis-server for one test file, with fresh BullMQ queues on it:
 * registers its own `beforeAll` and `afterAll`. Call it inside `describe`.
 */
export function privateQueues(prefix: string): PrivateQueues {
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  const queues: Queue[] = [];
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    redis?.disconnect();
    await server?.close();
  });
  const connection = () => {
    if (!redis) throw new Error('privateQueues: used before beforeAll');
    return redis;
  };
  return {
    redis: connection,
    queue() {
      const queue = new Queue<LogJobData>(`${prefix}-${randomUUID()}`, {
        connection: connection(),
        streams: LOG_QUEUE_STREAMS,
      });
      queues.push(queue);
      return queue;
    },
  };
}

/** A log entry for queue tests: component `c`, level INFO, a fixed `created_at`. */
export function testEntry(message: string, over: Partial<LogEntry> = {}): LogEntry {
  return {
    component: 'c',
    level: 'INFO',
    message,
    trace_id: null,
    data: null,
    created_at: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}
