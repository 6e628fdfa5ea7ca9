import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerHeartbeatKey, workerMetricsKey } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from '../godot-server.js';
import { type ServerStack, startServerStack } from '../server.fixture.js';
import { registerWorkerMetricsView } from './worker-metrics-view.js';

/** A worker's delivery registry, named as `createWorkerMetrics` names it. */
function workerRegistry(counts: { delivered: number; durations: number[]; rejected?: number }) {
  const registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'godot_logs_delivered_total', help: 'h', registers }).inc(counts.delivered);
  new Counter({ name: 'godot_batches_total', help: 'h', labelNames: ['outcome'], registers }).inc(
    { outcome: 'delivered' },
    counts.durations.length,
  );
  const duration = new Histogram({
    name: 'godot_batch_duration_seconds',
    help: 'h',
    buckets: [0.01, 0.1, 1],
    registers,
  });
  for (const seconds of counts.durations) duration.observe(seconds);
  new Counter({
    name: 'godot_logs_dead_lettered_total',
    help: 'h',
    labelNames: ['reason'],
    registers,
  }).inc({ reason: 'rejected' }, counts.rejected ?? 0);
  // Not a delivery metric: must not reach the server.
  new Counter({ name: 'godot_worker_cpu_seconds_total', help: 'h', registers }).inc(9);
  return registry;
}

/** Writes a snapshot and a beat the way `WorkerPresence` does. */
async function publish(
  redis: Redis,
  queueName: string,
  workerId: string,
  registry: Registry,
  ttlMs = 15_000,
): Promise<void> {
  const snapshot = JSON.stringify(await registry.getMetricsAsJSON());
  await redis.set(workerMetricsKey(queueName, workerId), snapshot, 'PX', ttlMs);
  await redis.zadd(workerHeartbeatKey(queueName), Date.now(), workerId);
}

describe("the server's /metrics shows the sum over live workers", () => {
  let stack: ServerStack;
  let server: GodotServer;
  let queueName: string;
  const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();

  beforeAll(async () => {
    stack = await startServerStack();
    server = await stack.start();
    queueName = stack.config.QUEUE_NAME;
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    const keys = await stack.raw.keys(`godot:{${queueName}}:metrics*`);
    await stack.raw.del(workerHeartbeatKey(queueName), ...keys);
  });

  it('sums two workers counters and histograms under the godot_queue_* names', async () => {
    await publish(stack.raw, queueName, 'w1', workerRegistry({ delivered: 3, durations: [0.005] }));
    await publish(
      stack.raw,
      queueName,
      'w2',
      workerRegistry({ delivered: 4, durations: [0.05, 0.5], rejected: 1 }),
    );
    const text = await scrape();
    expect(text).toMatch(/^godot_queue_delivered_total 7$/m);
    expect(text).toMatch(/^godot_queue_batches_total\{outcome="delivered"\} 3$/m);
    expect(text).toMatch(/^godot_queue_dead_lettered_total\{reason="rejected"\} 1$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_bucket\{le="0.01"\} 1$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_bucket\{le="0.1"\} 2$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_bucket\{le="\+Inf"\} 3$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_count 3$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_sum 0.555$/m);
    expect(text).toMatch(/^# TYPE godot_queue_batch_duration_seconds histogram$/m);
    // Only the families the server names, and only once.
    expect(text).not.toContain('godot_logs_delivered_total');
    expect(text).not.toContain('godot_worker_cpu_seconds_total');
    expect(text.match(/^# TYPE godot_queue_delivered_total /gm)).toHaveLength(1);
  });

  it("drops a worker's counts once its snapshot's TTL ran out", async () => {
    await publish(stack.raw, queueName, 'alive', workerRegistry({ delivered: 5, durations: [] }));
    await publish(
      stack.raw,
      queueName,
      'dead',
      workerRegistry({ delivered: 2, durations: [] }),
      300,
    );
    expect(await scrape()).toMatch(/^godot_queue_delivered_total 7$/m);
    await expect
      .poll(scrape, { timeout: 3000, interval: 100 })
      .toMatch(/^godot_queue_delivered_total 5$/m);
  });

  it('shows the families without samples when no worker published', async () => {
    const text = await scrape();
    expect(text).toMatch(/^# TYPE godot_queue_delivered_total counter$/m);
    expect(text).not.toMatch(/^godot_queue_delivered_total /m);
  });

  it('answers within a second with Redis down, and sums again once it is back', async () => {
    await stack.redis.stop();
    try {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(text).toMatch(/^# TYPE godot_queue_delivered_total counter$/m);
      expect(text).toContain('# TYPE godot_logs_received_total counter');
    } finally {
      await stack.redis.restart();
    }
    await expect.poll(() => stack.raw.ping().catch(() => 'down'), { timeout: 5000 }).toBe('PONG');
    await publish(stack.raw, queueName, 'w1', workerRegistry({ delivered: 1, durations: [] }));
    await expect
      .poll(scrape, { timeout: 10_000, interval: 200 })
      .toMatch(/^godot_queue_delivered_total 1$/m);
  });
});

describe('registerWorkerMetricsView', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.close();
  });

  it('reads only workers that beat within maxAgeMs', async () => {
    const queueName = `view-${randomUUID().slice(0, 8)}`;
    const registry = new Registry();
    registerWorkerMetricsView({ registry, redis: client, queueName, maxAgeMs: 1000 });
    await publish(client, queueName, 'fresh', workerRegistry({ delivered: 1, durations: [] }));
    await publish(client, queueName, 'stale', workerRegistry({ delivered: 10, durations: [] }));
    // Its key lives on, but its last beat is older than maxAgeMs.
    await client.zadd(workerHeartbeatKey(queueName), Date.now() - 5000, 'stale');
    expect(await registry.metrics()).toMatch(/^godot_queue_delivered_total 1$/m);
  });

  it('skips an unreadable snapshot and sums the others', async () => {
    const queueName = `view-${randomUUID().slice(0, 8)}`;
    const registry = new Registry();
    registerWorkerMetricsView({ registry, redis: client, queueName });
    await publish(client, queueName, 'good', workerRegistry({ delivered: 2, durations: [] }));
    await client.set(workerMetricsKey(queueName, 'bad'), '{not json');
    await client.zadd(workerHeartbeatKey(queueName), Date.now(), 'bad');
    expect(await registry.metrics()).toMatch(/^godot_queue_delivered_total 2$/m);
  });

  it('gives up on a frozen Redis after timeoutMs', async () => {
    const queueName = `view-${randomUUID().slice(0, 8)}`;
    const registry = new Registry();
    registerWorkerMetricsView({ registry, redis: client, queueName, timeoutMs: 300 });
    await publish(client, queueName, 'w1', workerRegistry({ delivered: 2, durations: [] }));
    const pid = redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = performance.now();
      const text = await registry.metrics();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(text).toMatch(/^# TYPE godot_queue_delivered_total counter$/m);
      expect(text).not.toMatch(/^godot_queue_delivered_total /m);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await sleep(50);
    expect(await registry.metrics()).toMatch(/^godot_queue_delivered_total 2$/m);
  });
});
