import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, workerMetricsIndexKey, workerMetricsKey } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerMetrics } from '../ops/worker-metrics.js';
import { MetricsPublisher } from './metrics-publisher.js';

describe('MetricsPublisher', () => {
  let redis: RedisServer;
  let raw: Redis;

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    raw.on('error', () => {});
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.close();
  });

  /** A publisher on a connection of its own, configured as the worker's. */
  function publisher(queueName: string, workerId: string, intervalMs = 100) {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {});
    const metrics = createWorkerMetrics();
    const options = { redis: connection, queueName, workerId, logger: silentLogger, intervalMs };
    return {
      connection,
      metrics,
      publisher: new MetricsPublisher({ ...options, registry: metrics.delivery }),
    };
  }

  const snapshot = async (queueName: string, workerId: string) => {
    const json = await raw.get(workerMetricsKey(queueName, workerId));
    return json === null ? null : (JSON.parse(json) as { name: string; values: unknown[] }[]);
  };

  it('publishes the delivery metrics with a TTL of three intervals, refreshed, and removes them on stop', async () => {
    const queueName = `pub-${randomUUID().slice(0, 8)}`;
    const { connection, metrics, publisher: p } = publisher(queueName, 'w1');
    await connection.ping();
    p.start();
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
    expect(await raw.zscore(workerMetricsIndexKey(queueName), 'w1')).not.toBeNull();

    metrics.delivered.inc(42);
    await expect
      .poll(async () => JSON.stringify(await snapshot(queueName, 'w1')), { interval: 50 })
      .toContain('"value":42');

    await p.stop();
    expect(await snapshot(queueName, 'w1')).toBeNull();
    expect(await raw.zscore(workerMetricsIndexKey(queueName), 'w1')).toBeNull();
    await sleep(250);
    expect(await snapshot(queueName, 'w1')).toBeNull();
    connection.disconnect();
  });

  it("leaves a dead worker's snapshot to its TTL and prunes it from the index", async () => {
    const queueName = `pub-${randomUUID().slice(0, 8)}`;
    const dead = publisher(queueName, 'dead');
    const alive = publisher(queueName, 'alive');
    await Promise.all([dead.connection.ping(), alive.connection.ping()]);
    dead.publisher.start();
    alive.publisher.start();
    await expect.poll(() => snapshot(queueName, 'dead')).not.toBeNull();
    // Dies without stop(): nothing more is written, nothing removed.
    dead.connection.disconnect();
    await expect.poll(() => snapshot(queueName, 'dead'), { timeout: 2000 }).toBeNull();
    await expect
      .poll(() => raw.zrange(workerMetricsIndexKey(queueName), 0, -1), { timeout: 2000 })
      .toEqual(['alive']);
    await alive.publisher.stop();
    alive.connection.disconnect();
  });

  it('rides out a Redis outage without throwing and publishes again once Redis is back', async () => {
    const queueName = `pub-${randomUUID().slice(0, 8)}`;
    const { connection, metrics, publisher: p } = publisher(queueName, 'w1');
    await connection.ping();
    p.start();
    await expect.poll(() => snapshot(queueName, 'w1')).not.toBeNull();
    await redis.stop();
    await expect.poll(() => connection.status).not.toBe('ready');
    const taken = vi.spyOn(metrics.delivery, 'getMetricsAsJSON');
    await sleep(350); // several intervals with Redis away
    // No snapshot taken, so none waits in ioredis's offline queue to land stale.
    expect(taken).not.toHaveBeenCalled();
    taken.mockRestore();
    await redis.restart();
    await expect
      .poll(() => raw.del(workerMetricsKey(queueName, 'w1')).catch(() => -1))
      .not.toBe(-1);
    await expect.poll(() => snapshot(queueName, 'w1'), { timeout: 5000 }).not.toBeNull();
    await redis.stop();
    const started = performance.now();
    await p.stop();
    expect(performance.now() - started).toBeLessThan(100);
    await redis.restart();
    connection.disconnect();
  });

  it('refuses a TTL that would let live workers flicker out of the sum', () => {
    const { connection, metrics } = publisher('q', 'w');
    connection.disconnect();
    const options = { redis: connection, queueName: 'q', workerId: 'w', logger: silentLogger };
    expect(
      () =>
        new MetricsPublisher({
          ...options,
          registry: metrics.delivery,
          intervalMs: 100,
          ttlMs: 100,
        }),
    ).toThrow(RangeError);
  });
});
