/**
 * QUEUE_SHARDS on one Redis, and WORKER_SHARDS
 * (docs/product.md#shards-and-redis-cluster): the server spreads
 * its flushes over the shards, a worker consumes only the shards it is
 * given, the bound is split evenly, and shard 0 keeps the classic
 * `bull:<QUEUE_NAME>` keys so a single-Redis setup is unchanged.
 */
import { bullmqKey, type Config, keptEntryCount } from '@godot/shared';
import { type DeweyEmulator, RawWsClient, toolPayload } from '@godot/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from '../support/stack/test-stack.js';

describe('queue shards on one Redis', () => {
  let stack: TestStack;
  let dewey: DeweyEmulator;
  let raw: Redis;
  let config: Config;

  beforeAll(async () => {
    stack = await TestStack.start({
      queuePrefix: 'shards',
      config: { QUEUE_SHARDS: 3, MAX_QUEUE_SIZE: 30 },
    });
    ({ dewey, raw, config } = stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Entries waiting in each shard's wait list, from the job names. */
  async function waitingPerShard(): Promise<number[]> {
    const names = [config.QUEUE_NAME, `${config.QUEUE_NAME}-1`, `${config.QUEUE_NAME}-2`];
    return Promise.all(
      names.map(async (name) => {
        let entries = 0;
        // Waiting for delivery: in the wait list, or still gathering entries.
        const ids = [
          ...(await raw.lrange(bullmqKey(name, 'wait'), 0, -1)),
          ...(await raw.zrange(bullmqKey(name, 'delayed'), 0, -1)),
        ];
        for (const id of ids) {
          const jobName = (await raw.hget(bullmqKey(name, id), 'name')) ?? '';
          entries += keptEntryCount(jobName) ?? 0;
        }
        return entries;
      }),
    );
  }

  it('spreads flushes over the shards, splits the bound, and a worker takes only its shards', async () => {
    const server = await stack.startServer();
    const socket = await RawWsClient.connect(`ws://127.0.0.1:${server.port}/`);
    const log = async (message: string) =>
      toolPayload(
        await socket.request('tools/call', {
          name: 'logger_log',
          arguments: { component: 'shards', level: 'INFO', message },
        }),
      );
    // One call at a time: one entry per flush, each flush to the next shard.
    for (let i = 0; i < 60; i += 1) expect(await log(`s-${i}`)).toMatchObject({ queued: true });
    await server.close(); // runs the last bound check
    await socket.close();

    // 60 entries round-robin, 20 per shard, each shard keeping its 10 (30 / 3).
    expect(await waitingPerShard()).toEqual([10, 10, 10]);

    await stack.startWorker({ WORKER_SHARDS: [0, 2] }, { workerId: 'shards-0-2' });
    await expect.poll(() => dewey.stored().length, { timeout: 10_000 }).toBe(20);
    expect(await waitingPerShard()).toEqual([0, 10, 0]);

    await stack.startWorker({ WORKER_SHARDS: [1] }, { workerId: 'shards-1' });
    await expect.poll(() => dewey.stored().length, { timeout: 10_000 }).toBe(30);
    // The newest of each shard's share were kept: entries 30…59.
    const kept = dewey
      .stored()
      .map((row) => Number(row.message.slice(2)))
      .sort((a, b) => a - b);
    expect(kept).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
  });
});
