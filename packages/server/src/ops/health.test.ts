import { randomUUID } from 'node:crypto';
import { workerHeartbeatKey } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServerStack, startServerStack } from '../server.fixture.js';
import { HealthCheck, type HealthCheckOptions } from './health.js';

/** Calls per command since the last `CONFIG RESETSTAT`, from `INFO commandstats`. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const [, name, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[name as string] = Number(count);
  }
  return calls;
}

/** Adds `count` keys that have nothing to do with Godot, as a shared Redis would hold. */
async function fillKeyspace(redis: Redis, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const pairs: string[] = [];
    for (let k = i; k < Math.min(count, i + 1000); k++) pairs.push(`unrelated:${k}`, 'x');
    await redis.mset(...pairs);
  }
}

describe('GET /health with a large keyspace and many callers', () => {
  let stack: ServerStack;
  let base: string;

  beforeAll(async () => {
    stack = await startServerStack();
    base = `http://127.0.0.1:${(await stack.start()).port}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 30 concurrent callers 200 from one reading, with no SCAN', async () => {
    await fillKeyspace(stack.raw, 50_000);
    await stack.raw.zadd(workerHeartbeatKey(stack.config.QUEUE_NAME), Date.now(), 'w1');
    await stack.raw.config('RESETSTAT');

    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const response = await fetch(`${base}/health`);
        return { status: response.status, body: await response.json() };
      }),
    );
    const elapsedMs = performance.now() - started;
    const calls = await commandCalls(stack.raw);
    console.log(
      `50,000 unrelated keys, 30 concurrent /health: ${elapsedMs.toFixed(0)} ms for all, ` +
        `Redis calls ${JSON.stringify(calls)}`,
    );

    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(answers[0]?.body).toMatchObject({
      status: 'ok',
      redis: { up: true },
      dewey: { up: true },
      queue: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      worker: { workers: 1 },
    });
    expect(calls.scan ?? 0).toBe(0);
    // One reading serves all 30: at most a second one if the cache turned over.
    expect(calls.zcount ?? 0).toBeGreaterThanOrEqual(1);
    expect(calls.zcount ?? 0).toBeLessThanOrEqual(2);
    // The job counts are one BullMQ script (EVAL the first time, EVALSHA after).
    expect((calls.eval ?? 0) + (calls.evalsha ?? 0)).toBeLessThanOrEqual(2);
  });
});

describe('HealthCheck', () => {
  let redisServer: RedisServer;
  let raw: Redis;
  const opened: { redis: Redis; queue: Queue }[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    raw = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  });
  afterEach(async () => {
    for (const { redis, queue } of opened.splice(0)) {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    }
  });
  afterAll(async () => {
    raw?.disconnect();
    await redisServer?.close();
  });

  /** A check on a connection set up like the server's (fail fast, no offline queue). */
  async function healthCheck(more: Partial<HealthCheckOptions> = {}) {
    const redis = new Redis(redisServer.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    redis.on('error', () => {});
    await new Promise((resolve) => redis.once('ready', resolve));
    const queue = new Queue(`health-${randomUUID().slice(0, 8)}`, { connection: redis });
    queue.on('error', () => {});
    opened.push({ redis, queue });
    const check = new HealthCheck({
      redis,
      queues: [queue],
      queueName: queue.name,
      deweyUp: () => true,
      ...more,
    });
    return { check, key: workerHeartbeatKey(queue.name) };
  }

  it('counts only workers that beat within the maximum age', async () => {
    const { check, key } = await healthCheck({ cacheMs: 0 });
    await raw.zadd(key, Date.now() - 60_000, 'dead');
    const stale = await check.check();
    expect(stale.code).toBe(503);
    expect(stale.report.worker).toEqual({ heartbeat_age_ms: null, workers: 0 });

    await raw.zadd(key, Date.now(), 'alive');
    const live = await check.check();
    expect(live.code).toBe(200);
    expect(live.report.worker.workers).toBe(1);
    expect(live.report.worker.heartbeat_age_ms).toBeGreaterThanOrEqual(0);
    expect(live.report.worker.heartbeat_age_ms).toBeLessThan(30_000);
  });

  it('is 200 "degraded" when only Dewey is down', async () => {
    const { check, key } = await healthCheck({ deweyUp: () => false });
    await raw.zadd(key, Date.now(), 'w1');
    const { code, report } = await check.check();
    expect(code).toBe(200);
    expect(report).toMatchObject({ status: 'degraded', redis: { up: true }, dewey: { up: false } });
  });

  it('serves a reading for about a second, then reads again', async () => {
    const { check, key } = await healthCheck();
    expect((await check.check()).code).toBe(503);
    await raw.zadd(key, Date.now(), 'w1');
    // The 503 read a moment ago still serves this caller...
    expect((await check.check()).code).toBe(503);
    // ...and no longer than about a second.
    const started = performance.now();
    await expect.poll(async () => (await check.check()).code, { interval: 50 }).toBe(200);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('answers 503 at once while Redis is stopped, whatever it had cached, and 200 after', async () => {
    const { check, key } = await healthCheck({ cacheMs: 60_000 });
    await raw.zadd(key, Date.now(), 'w1');
    expect((await check.check()).code).toBe(200);

    await redisServer.stop();
    try {
      // With a minute of cache, only the connection's status can turn it: as
      // soon as ioredis has seen the socket close.
      await expect.poll(async () => (await check.check()).code, { timeout: 500 }).toBe(503);
      const started = performance.now();
      const { code, report } = await check.check();
      const elapsedMs = performance.now() - started;
      console.log(`/health with Redis stopped: ${code} in ${elapsedMs.toFixed(1)} ms`);
      expect(code).toBe(503);
      expect(report).toMatchObject({ status: 'unhealthy', redis: { up: false } });
    } finally {
      await redisServer.restart();
    }
    // The heartbeat set did not survive the restart (no AOF): beat again.
    await expect.poll(() => raw.zadd(key, Date.now(), 'w1'), { timeout: 5000 }).toBe(1);
    await expect.poll(async () => (await check.check()).code, { timeout: 5000 }).toBe(200);
  });

  it('answers 503 within about a second while Redis is frozen, one reading for all callers', async () => {
    const { check, key } = await healthCheck();
    await raw.zadd(key, Date.now(), 'w1');
    await raw.config('RESETSTAT');
    const pid = redisServer.pid as number;
    process.kill(pid, 'SIGSTOP');
    let results: { code: number; ms: number }[];
    try {
      results = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const started = performance.now();
          const { code } = await check.check();
          return { code, ms: performance.now() - started };
        }),
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const slowest = Math.max(...results.map((r) => r.ms));
    console.log(`/health with Redis frozen: 20 callers, slowest ${slowest.toFixed(0)} ms`);
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(503));
    expect(slowest).toBeLessThan(1500);
    // The frozen connection got one reading, not twenty (ZCOUNT is the heartbeat
    // read); Redis runs it once it resumes.
    await expect.poll(async () => (await commandCalls(raw)).zcount ?? 0).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await commandCalls(raw)).zcount).toBe(1);
  });
});
