import { randomUUID } from 'node:crypto';
import { boundAccountKey, type LogJobData } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterFailure, queueDeadLetters } from './dead-letters.js';
import { entry } from './held-job.fixture.js';

describe('queueDeadLetters', () => {
  let redis: RedisServer;
  let raw: Redis;
  let queue: Queue<LogJobData>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue(`dead-${randomUUID().slice(0, 8)}`, { connection: raw });
  });
  afterAll(async () => {
    await queue?.close();
    raw?.disconnect();
    await redis?.close();
  });

  it('queues each entry as a job of its own, marked with its reason, and counts it for the bound', async () => {
    const refused = entry('m42', { trace_id: 'not-a-uuid' });
    await queueDeadLetters(queue, [
      { readable: true, entry: refused, reason: 'invalid UUID' },
      { readable: false, value: { nonsense: true }, reason: 'invalid log entry in job data: x' },
    ]);
    const jobs = await queue.getJobs(['waiting'], 0, -1, true);
    expect(jobs.map((job) => job.data)).toEqual([
      { entries: [refused], rejected: 'invalid UUID' },
      { entries: [{ nonsense: true }], rejected: 'invalid log entry in job data: x' },
    ]);
    expect(jobs.map((job) => job.name)).toEqual([
      `1 entry (${Buffer.byteLength(JSON.stringify([refused]))} bytes)`,
      `1 entry (${Buffer.byteLength(JSON.stringify([{ nonsense: true }]))} bytes)`,
    ]);
    expect(await raw.hgetall(boundAccountKey(queue))).toMatchObject({ entries: '2', jobs: '2' });
    // Each fails on its first run, with the reason.
    expect(jobs.map((job) => deadLetterFailure(job))).toEqual([
      'Dewey rejected this entry: invalid UUID',
      'Dewey rejected this entry: invalid log entry in job data: x',
    ]);
  });
});

describe('deadLetterFailure', () => {
  it('is undefined for a job that is no dead letter, and for a dead letter retried', () => {
    expect(deadLetterFailure({ data: { entries: [entry('m')] }, attemptsMade: 0 })).toBeUndefined();
    expect(deadLetterFailure({ data: entry('old'), attemptsMade: 0 })).toBeUndefined();
    expect(deadLetterFailure({ data: null, attemptsMade: 0 })).toBeUndefined();
    expect(
      deadLetterFailure({ data: { entries: [entry('m')], rejected: 'no' }, attemptsMade: 1 }),
    ).toBeUndefined();
  });
});
