import { randomUUID } from 'node:crypto';
import { type LogJobData, silentLogger } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../ops/worker-metrics.js';
import { entry, heldJob } from './held-job.fixture.js';
import { settleBatch } from './settlement.js';

describe('settleBatch', () => {
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

  function setup() {
    const queue = new Queue<LogJobData>(`settle-${randomUUID().slice(0, 8)}`, { connection: raw });
    const metrics = createWorkerMetrics();
    return { queue, metrics, options: { queue, metrics, logger: silentLogger } };
  }
  const value = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
    (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);

  it('completes every job of a batch Dewey took whole', async () => {
    const { queue, metrics, options } = setup();
    const batch = [heldJob('1', ['a', 'b']), heldJob('2', ['c'])];
    await settleBatch(batch, new Map(), options);
    expect(await Promise.all(batch.map((job) => job.outcome))).toEqual(['completed', 'completed']);
    expect(await value(metrics.delivered)).toBe(3);
    expect(await metrics.batches.get()).toMatchObject({
      values: expect.arrayContaining([{ labels: { outcome: 'delivered' }, value: 1 }]),
    });
    expect(await queue.count()).toBe(0);
    await queue.close();
  });

  it("fails a job whose only entry Dewey refused, with Dewey's message", async () => {
    const { queue, metrics, options } = setup();
    const batch = [heldJob('1', ['a']), heldJob('2', ['bad'])];
    await settleBatch(batch, new Map([[1, 'invalid UUID']]), options);
    expect(await batch[0]?.outcome).toBe('completed');
    const failure = await batch[1]?.outcome;
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toBe('Dewey rejected this entry: invalid UUID');
    expect(await value(metrics.delivered)).toBe(1);
    expect(await value(metrics.deadLettered)).toBe(1);
    // No dead letter: the job itself lands in the failed set.
    expect(await queue.count()).toBe(0);
    await queue.close();
  });

  it('dead-letters the refused entries of a larger job and completes the rest', async () => {
    const { queue, metrics, options } = setup();
    const bad = entry('m2', { trace_id: 'not-a-uuid' });
    const batch = [heldJob('1', ['m0']), heldJob('2', ['m1', bad, 'm3'])];
    await settleBatch(batch, new Map([[2, 'invalid UUID']]), options);
    expect(await Promise.all(batch.map((job) => job.outcome))).toEqual(['completed', 'completed']);
    const letters = await queue.getJobs(['waiting'], 0, -1, true);
    expect(letters.map((job) => job.data)).toEqual([{ entries: [bad], rejected: 'invalid UUID' }]);
    expect(await value(metrics.delivered)).toBe(3);
    expect(await metrics.batches.get()).toMatchObject({
      values: expect.arrayContaining([{ labels: { outcome: 'partial' }, value: 1 }]),
    });
    await queue.close();
  });

  it('fails the job whole when its dead letters cannot be queued, so no entry is lost', async () => {
    const { queue, options } = setup();
    await queue.waitUntilReady();
    // Redis at its maxmemory (noeviction) refuses every write.
    await raw.config('SET', 'maxmemory', '1');
    const batch = [heldJob('2', ['m1', 'bad'])];
    try {
      await settleBatch(batch, new Map([[1, 'invalid UUID']]), options);
    } finally {
      await raw.config('SET', 'maxmemory', '0');
    }
    const failure = await batch[0]?.outcome;
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toMatch(
      /^could not dead-letter refused entries: .*EXECABORT/,
    );
    expect(await queue.count()).toBe(0);
    await queue.close();
  });
});
