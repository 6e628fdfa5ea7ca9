/**
 * QUEUE_SHARDS on one Redis, and WORKER_SHARDS (issue 12): the server spreads
 * its flushes over the shards, a worker consumes only the shards it is
 * given, the bound is split evenly, and shard 0 keeps the classic
 * `bull:<QUEUE_NAME>` keys so a single-Redis setup is unchanged.
 */
import { randomUUID } from 'node:crypto';
import { type GodotServer, startGodotServer } from '@godot/server';
import { type Config, loadConfig, silentLogger } from '@godot/shared';
import { DeweyEmulator, RawWsClient, RedisServer, toolPayload } from '@godot/testkit';
import { type GodotWorker, startGodotWorker } from '@godot/worker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('queue shards on one Redis', () => {
  let redis: RedisServer;
  let dewey: DeweyEmulator;
  let raw: Redis;
  let config: Config;
  const running: Array<GodotServer | GodotWorker> = [];

  beforeAll(async () => {
    [redis, dewey] = await Promise.all([RedisServer.start(), DeweyEmulator.start()]);
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    config = {
      ...loadConfig({}),
      PORT: 0,
      HOST: '127.0.0.1',
      WORKER_PORT: 0,
      REDIS_URL: redis.url,
      DEWEY_URL: dewey.url,
      QUEUE_NAME: `shards-${randomUUID().slice(0, 8)}`,
      QUEUE_SHARDS: 3,
      MAX_QUEUE_SIZE: 30,
    };
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((part) => part.close()));
    raw?.disconnect();
    await Promise.allSettled([redis?.close(), dewey?.close()]);
  });

  /** Entries waiting in each shard's wait list, from the job names. */
  async function waitingPerShard(): Promise<number[]> {
    const names = [config.QUEUE_NAME, `${config.QUEUE_NAME}-1`, `${config.QUEUE_NAME}-2`];
    return Promise.all(
      names.map(async (name) => {
        let entries = 0;
        for (const id of await raw.lrange(`bull:${name}:wait`, 0, -1)) {
          const jobName = (await raw.hget(`bull:${name}:${id}`, 'name')) ?? '';
          entries += Number(/^(\d+) entr/.exec(jobName)?.[1] ?? 0);
        }
        return entries;
      }),
    );
  }

  it('spreads flushes over the shards, splits the bound, and a worker takes only its shards', async () => {
    const server = await startGodotServer(config, { logger: silentLogger });
    running.push(server);
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
    running.splice(running.indexOf(server), 1);
    await socket.close();

    // 60 entries round-robin, 20 per shard, each shard keeping its 10 (30 / 3).
    expect(await waitingPerShard()).toEqual([10, 10, 10]);

    const worker = await startGodotWorker(
      { ...config, WORKER_SHARDS: [0, 2] },
      { logger: silentLogger, workerId: 'shards-0-2' },
    );
    running.push(worker);
    await expect.poll(() => dewey.stored().length, { timeout: 10_000 }).toBe(20);
    expect(await waitingPerShard()).toEqual([0, 10, 0]);

    running.push(
      await startGodotWorker(
        { ...config, WORKER_SHARDS: [1] },
        { logger: silentLogger, workerId: 'shards-1' },
      ),
    );
    await expect.poll(() => dewey.stored().length, { timeout: 10_000 }).toBe(30);
    // The newest of each shard's share were kept: entries 30…59.
    const kept = dewey
      .stored()
      .map((row) => Number(row.message.slice(2)))
      .sort((a, b) => a - b);
    expect(kept).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
  });
});
