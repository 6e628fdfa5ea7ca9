import { randomUUID } from 'node:crypto';
import { silentLogger, workerHeartbeatKey } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';

describe('Heartbeat', () => {
  let redisServer: RedisServer;
  let raw: Redis;
  const connections: Redis[] = [];
  const beating: Heartbeat[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    raw = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  });
  afterEach(async () => {
    for (const heartbeat of beating.splice(0)) await heartbeat.stop();
    for (const connection of connections.splice(0)) connection.disconnect();
  });
  afterAll(async () => {
    raw?.disconnect();
    await redisServer?.close();
  });

  /** A heartbeat on a connection set up like the worker's (BullMQ's: no per-request limit). */
  async function startHeartbeat(more: Partial<HeartbeatOptions> = {}) {
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    redis.on('error', () => {});
    connections.push(redis);
    await new Promise((resolve) => redis.once('ready', resolve));
    const queueName = `beat-${randomUUID().slice(0, 8)}`;
    const heartbeat = new Heartbeat({
      redis,
      queueName,
      workerId: 'w1',
      logger: silentLogger,
      ...more,
    });
    heartbeat.start();
    beating.push(heartbeat);
    const key = workerHeartbeatKey(queueName);
    await expect.poll(() => raw.zscore(key, 'w1')).not.toBeNull();
    return { heartbeat, key };
  }

  it('scores its worker id with the time in one sorted set per queue, with a TTL', async () => {
    const before = Date.now();
    const { key } = await startHeartbeat();
    expect(Number(await raw.zscore(key, 'w1'))).toBeGreaterThanOrEqual(before);
    expect(await raw.type(key)).toBe('zset');
    expect(await raw.pttl(key)).toBeGreaterThan(0);
  });

  it('drops the members of workers that stopped beating more than a TTL ago', async () => {
    const { key } = await startHeartbeat({ intervalMs: 100, ttlMs: 1000 });
    await raw.zadd(key, Date.now() - 5000, 'dead');
    await expect.poll(() => raw.zscore(key, 'dead')).toBeNull();
    expect(await raw.zscore(key, 'w1')).not.toBeNull();
  });

  it('removes its worker from the set on stop', async () => {
    const { heartbeat, key } = await startHeartbeat();
    await heartbeat.stop();
    expect(await raw.zscore(key, 'w1')).toBeNull();
  });

  it('stops within a second while Redis is stopped', async () => {
    const { heartbeat } = await startHeartbeat();
    await redisServer.stop();
    try {
      const started = performance.now();
      await heartbeat.stop();
      const elapsedMs = performance.now() - started;
      console.log(`Heartbeat.stop() with Redis stopped: ${elapsedMs.toFixed(0)} ms`);
      expect(elapsedMs).toBeLessThan(1500);
    } finally {
      await redisServer.restart();
    }
  });

  it('stops within a second while Redis is frozen', async () => {
    const { heartbeat } = await startHeartbeat();
    const pid = redisServer.pid as number;
    process.kill(pid, 'SIGSTOP');
    let elapsedMs: number;
    try {
      const started = performance.now();
      await heartbeat.stop();
      elapsedMs = performance.now() - started;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    console.log(`Heartbeat.stop() with Redis frozen: ${elapsedMs.toFixed(0)} ms`);
    expect(elapsedMs).toBeLessThan(1500);
  });
});
