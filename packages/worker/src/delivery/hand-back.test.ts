import { randomUUID } from 'node:crypto';
import { RedisServer } from '@godot/testkit';
import { Queue, RateLimitError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handBack, handBackError } from './hand-back.js';
import { heldJob } from './held-job.fixture.js';

describe('handBackError', () => {
  let redis: RedisServer;
  let raw: Redis;

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.close();
  });

  it('returns a job BullMQ is processing to the wait list, no attempt spent, nothing failed', async () => {
    const queue = new Queue(`back-${randomUUID().slice(0, 8)}`, { connection: raw });
    const added = await queue.add('log', { n: 1 }, { attempts: 1 });
    let runs = 0;
    const worker = new Worker(
      queue.name,
      async () => {
        runs += 1;
        throw handBackError();
      },
      { connection: raw, autorun: false },
    );
    void worker.run();
    await expect.poll(() => runs).toBeGreaterThanOrEqual(1);
    await worker.close();
    const job = await queue.getJob(added.id as string);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 0, completed: 0 });
    await queue.close();
  });
});

describe('handBack', () => {
  it('hands every job back, newest first, so the oldest is fetched first again', async () => {
    const order: string[] = [];
    const batch = [
      heldJob('1', ['a'], order),
      heldJob('2', ['b'], order),
      heldJob('3', ['c'], order),
    ];
    handBack(batch);
    expect(order).toEqual(['3', '2', '1']);
    for (const job of batch) expect(await job.outcome).toBeInstanceOf(RateLimitError);
  });
});
