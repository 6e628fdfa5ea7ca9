import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, workerHeartbeatKey, workerMetricsKey } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerMetrics } from '../ops/worker-metrics.js';
import { WorkerPresence, type WorkerPresenceOptions } from './worker-presence.js';

describe('WorkerPresence', () => {
  let redisServer: RedisServer;
  let raw: Redis;
  const connections: Redis[] = [];
  const running: WorkerPresence[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    raw = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    raw.on('error', () => {});
  });
  afterEach(async () => {
    for (const presence of running.splice(0)) await presence.stop();
    for (const connection of connections.splice(0)) connection.disconnect();
  });
  afterAll(async () => {
    raw?.disconnect();
    await redisServer?.close();
  });

  /** A presence on a connection set up like the worker's (BullMQ's: no per-request limit). */
  async function startPresence(
    more: Partial<WorkerPresenceOptions> & { queueName?: string; workerId?: string } = {},
  ) {
    const connection = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {});
    connections.push(connection);
    await connection.ping();
    const metrics = createWorkerMetrics();
    const queueName = more.queueName ?? `presence-${randomUUID().slice(0, 8)}`;
    const workerId = more.workerId ?? 'w1';
    const presence = new WorkerPresence({
      redis: connection,
      queueName,
      workerId,
      registry: metrics.delivery,
      logger: silentLogger,
      ...more,
    });
    presence.start();
    running.push(presence);
    const key = workerHeartbeatKey(queueName);
    await expect.poll(() => raw.zscore(key, workerId)).not.toBeNull();
    return { presence, connection, metrics, key, queueName };
  }

  const snapshot = async (queueName: string, workerId: string) => {
    const json = await raw.get(workerMetricsKey(queueName, workerId));
    return json === null ? null : (JSON.parse(json) as { name: string; values: unknown[] }[]);
  };

  describe('the beat', () => {
    it('scores its worker id with the time in one sorted set per queue, with a TTL', async () => {
      const before = Date.now();
      const { key } = await startPresence();
      expect(Number(await raw.zscore(key, 'w1'))).toBeGreaterThanOrEqual(before);
      expect(await raw.type(key)).toBe('zset');
      expect(await raw.pttl(key)).toBeGreaterThan(0);
    });

    it('drops the members of workers that stopped beating more than a TTL ago', async () => {
      const { key } = await startPresence({ intervalMs: 100, beatTtlMs: 1000 });
      await raw.zadd(key, Date.now() - 5000, 'dead');
      await expect.poll(() => raw.zscore(key, 'dead')).toBeNull();
      expect(await raw.zscore(key, 'w1')).not.toBeNull();
    });

    it('removes its worker from the set on stop', async () => {
      const { presence, key } = await startPresence();
      await presence.stop();
      expect(await raw.zscore(key, 'w1')).toBeNull();
    });

    it('stops within a second while Redis is stopped', async () => {
      const { presence } = await startPresence();
      await redisServer.stop();
      try {
        const started = performance.now();
        await presence.stop();
        const elapsedMs = performance.now() - started;
        console.log(`WorkerPresence.stop() with Redis stopped: ${elapsedMs.toFixed(0)} ms`);
        expect(elapsedMs).toBeLessThan(1500);
      } finally {
        await redisServer.restart();
      }
    });

    it('stops within a second while Redis is frozen', async () => {
      const { presence } = await startPresence();
      const pid = redisServer.pid as number;
      process.kill(pid, 'SIGSTOP');
      let elapsedMs: number;
      try {
        const started = performance.now();
        await presence.stop();
        elapsedMs = performance.now() - started;
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      console.log(`WorkerPresence.stop() with Redis frozen: ${elapsedMs.toFixed(0)} ms`);
      expect(elapsedMs).toBeLessThan(1500);
    });
  });

  describe('the metrics snapshot', () => {
    it('publishes the delivery metrics with a TTL of three intervals, refreshed, and removes them on stop', async () => {
      const { presence, metrics, key, queueName } = await startPresence({ intervalMs: 100 });
      await expect.poll(() => snapshot(queueName, 'w1')).not.toBeNull();
      const names = (await snapshot(queueName, 'w1'))?.map((family) => family.name);
      expect(names?.sort()).toEqual([
        'godot_batch_duration_seconds',
        'godot_batches_total',
        'godot_logs_dead_lettered_total',
        'godot_logs_delivered_total',
      ]);
      const ttl = await raw.pttl(workerMetricsKey(queueName, 'w1'));
      expect(ttl).toBeGreaterThan(200);
      expect(ttl).toBeLessThanOrEqual(300);
      // The server finds the snapshot through the one set of live workers.
      expect(await raw.zscore(key, 'w1')).not.toBeNull();

      metrics.delivered.inc(42);
      await expect
        .poll(async () => JSON.stringify(await snapshot(queueName, 'w1')), { interval: 50 })
        .toContain('"value":42');

      await presence.stop();
      expect(await snapshot(queueName, 'w1')).toBeNull();
      expect(await raw.zscore(key, 'w1')).toBeNull();
      await sleep(250);
      expect(await snapshot(queueName, 'w1')).toBeNull();
    });

    it("leaves a dead worker's snapshot to its TTL and prunes it from the set", async () => {
      const queueName = `presence-${randomUUID().slice(0, 8)}`;
      const dead = await startPresence({ queueName, workerId: 'dead', intervalMs: 100 });
      await startPresence({ queueName, workerId: 'alive', intervalMs: 100 });
      await expect.poll(() => snapshot(queueName, 'dead')).not.toBeNull();
      // Dies without stop(): nothing more is written, nothing removed.
      dead.connection.disconnect();
      await expect.poll(() => snapshot(queueName, 'dead'), { timeout: 2000 }).toBeNull();
      await expect
        .poll(() => raw.zrange(workerHeartbeatKey(queueName), 0, -1), { timeout: 2000 })
        .toEqual(['alive']);
    });

    it('rides out a Redis outage without throwing and publishes again once Redis is back', async () => {
      const { presence, connection, metrics, queueName } = await startPresence({
        intervalMs: 100,
      });
      await expect.poll(() => snapshot(queueName, 'w1')).not.toBeNull();
      await redisServer.stop();
      await expect.poll(() => connection.status).not.toBe('ready');
      const taken = vi.spyOn(metrics.delivery, 'getMetricsAsJSON');
      await sleep(350); // several intervals with Redis away
      // No snapshot taken, so none waits in ioredis's offline queue to land stale.
      expect(taken).not.toHaveBeenCalled();
      taken.mockRestore();
      await redisServer.restart();
      await expect
        .poll(() => raw.del(workerMetricsKey(queueName, 'w1')).catch(() => -1))
        .not.toBe(-1);
      await expect.poll(() => snapshot(queueName, 'w1'), { timeout: 5000 }).not.toBeNull();
      await redisServer.stop();
      const started = performance.now();
      await presence.stop();
      expect(performance.now() - started).toBeLessThan(100);
      await redisServer.restart();
    });
  });

  it('refuses TTLs that would let a live worker flicker out of the set or the sum', () => {
    const connection = new Redis(redisServer.url, { lazyConnect: true });
    const metrics = createWorkerMetrics();
    const options = {
      redis: connection,
      queueName: 'q',
      workerId: 'w',
      registry: metrics.delivery,
      logger: silentLogger,
      intervalMs: 100,
    };
    expect(() => new WorkerPresence({ ...options, snapshotTtlMs: 100 })).toThrow(RangeError);
    expect(() => new WorkerPresence({ ...options, beatTtlMs: 100 })).toThrow(RangeError);
    expect(() => new WorkerPresence({ ...options, intervalMs: 0 })).toThrow(RangeError);
    connection.disconnect();
  });
});
