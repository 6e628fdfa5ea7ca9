import { randomUUID } from 'node:crypto';
import {
  boundAccountKey,
  JobAppender,
  LOG_QUEUE_STREAMS,
  type LogJobData,
  QueueBound,
  silentLogger,
} from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServerMetrics } from '../ops/server-metrics.js';
import {
  connectClient,
  errorText,
  payload,
  type ServerStack,
  startServerStack,
  waitingEntries,
} from '../server.fixture.js';
import { Ingest, type IngestOptions, type LogReply } from './ingest.js';
import { LevelStore } from './level-store.js';

const HANG = Symbol('no answer within 1 s');

/** The call's outcome, or HANG if it has not settled within the second a call may wait (docs/product.md, "Redis outage"). */
function withinOneSecond<T>(call: Promise<T>): Promise<T | typeof HANG> {
  return Promise.race([
    call,
    new Promise<typeof HANG>((resolve) => setTimeout(() => resolve(HANG), 1000)),
  ]);
}

describe('logger_log when Redis goes away or loses its scripts', () => {
  let stack: ServerStack;
  let client: Client;
  const log = (message: string) =>
    client.callTool({
      name: 'logger_log',
      arguments: { component: 'c', level: 'INFO', message },
    });

  beforeEach(async () => {
    stack = await startServerStack();
    client = await connectClient((await stack.start()).url);
  });
  afterEach(async () => {
    await client?.close();
    await stack?.close();
  });

  it('answers with a tool error within a second, and resumes once Redis is back', async () => {
    expect(payload(await log('before'))).toMatchObject({ queued: true });

    await stack.redis.stop();
    for (const message of ['during 1', 'during 2', 'during 3']) {
      const result = await withinOneSecond(log(message));
      expect(result).not.toBe(HANG);
      expect(errorText(result)).toMatch(/^queue unavailable, entry not queued/);
    }

    await stack.redis.restart();
    await expect
      .poll(async () => (await log('after')).isError ?? false, { timeout: 10_000, interval: 200 })
      .toBe(false);
    const messages = (await waitingEntries(stack.queue)).map((entry) => entry.message).sort();
    expect(messages.filter((m: string) => m.startsWith('during'))).toEqual([]);
    expect(messages).toContain('after');
  });

  it('loads lost scripts again and queues the entry, once and exactly once', async () => {
    // ioredis sends a script's SHA alone once it sent the script on a socket.
    // A node that restarts under a cluster, or a SCRIPT FLUSH, leaves it
    // believing so: inside the MULTI of an add, every EVALSHA then failed
    // with NOSCRIPT, for good (found with a master SIGKILLed under a cluster).
    expect(payload(await log('before'))).toMatchObject({ queued: true });
    await stack.raw.script('FLUSH');
    for (const message of ['after 1', 'after 2']) {
      expect(payload(await log(message))).toMatchObject({ queued: true });
    }
    const messages = (await waitingEntries(stack.queue)).map((entry) => entry.message).sort();
    expect(messages).toEqual(['after 1', 'after 2', 'before']);
    // The bound's account counts each entry once: its job count matches the list.
    const account = await stack.raw.hgetall(boundAccountKey(stack.queue));
    expect(account).toMatchObject({ entries: '3', jobs: '3' });
  });
});

describe('the MAX_QUEUE_SIZE bound', () => {
  it('keeps exactly the newest entries and counts every drop', async () => {
    const stack = await startServerStack({ MAX_QUEUE_SIZE: 50 });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      // Sequential calls: each entry's place in the queue is its send order.
      for (let i = 0; i < 80; i += 1) {
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'bound', level: 'INFO', message: `${i}` },
        });
      }
      // And a burst of concurrent ones that share flushes.
      await Promise.all(
        Array.from({ length: 70 }, (_, i) =>
          client.callTool({
            name: 'logger_log',
            arguments: { component: 'bound', level: 'INFO', message: `${80 + i}` },
          }),
        ),
      );
      // The bound is enforced right after the replies, off the reply path.
      await expect.poll(async () => (await waitingEntries(stack.queue)).length).toBe(50);
      const kept = (await waitingEntries(stack.queue)).map((entry) => Number(entry.message));
      expect(kept).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
      // Dropped jobs leave no data behind.
      expect(await stack.queue.getJob('1')).toBeUndefined();
      const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      await expect.poll(scrape).toMatch(/^godot_logs_dropped_total 100$/m);
      await client.close();
    } finally {
      await stack.close();
    }
  });

  it('never drops on a stale count: jobs that left the wait list are recounted first', async () => {
    const stack = await startServerStack({ MAX_QUEUE_SIZE: 50 });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      const log = (message: string) =>
        client.callTool({
          name: 'logger_log',
          arguments: { component: 'bound', level: 'INFO', message },
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => log(`a${i}`)));
      // Jobs leave the wait list without the bound's account knowing (a
      // worker taking them, or emptying the queue from the dashboard).
      await stack.queue.drain();
      await Promise.all(Array.from({ length: 20 }, (_, i) => log(`b${i}`)));
      // The account says 60 > 50; a recount finds 20 and drops nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const waiting = (await waitingEntries(stack.queue)).map((entry) => entry.message);
      expect(waiting.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`).sort());
      const scrape = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(scrape).toMatch(/^godot_logs_dropped_total 0$/m);
      // And with the account exact again, the bound still holds to the entry.
      await Promise.all(Array.from({ length: 45 }, (_, i) => log(`c${i}`)));
      await expect.poll(async () => (await waitingEntries(stack.queue)).length).toBe(50);
      const kept = (await waitingEntries(stack.queue)).map((entry) => entry.message);
      expect(kept.slice(-45)).toEqual(Array.from({ length: 45 }, (_, i) => `c${i}`));
      await client.close();
    } finally {
      await stack.close();
    }
  });
});

describe("Ingest's tuning options, on a real Redis", () => {
  let server: RedisServer;
  let redis: Redis;
  const opened: { ingest: Ingest; queue: Queue }[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const { ingest, queue } of opened) {
      await ingest.close();
      await queue.close();
    }
    redis?.disconnect();
    await server?.close();
  });

  /** An Ingest on a fresh queue of its own, bounded at `max` entries. */
  function open(options: Partial<IngestOptions> = {}, max = 1_000_000) {
    const queue = new Queue<LogJobData>(`ingest-${randomUUID()}`, {
      connection: redis,
      streams: LOG_QUEUE_STREAMS,
    });
    const ingest = new Ingest({
      shards: [
        {
          queue,
          bound: new QueueBound(redis, queue, max),
          appender: new JobAppender(redis, queue),
        },
      ],
      levels: new LevelStore({ redis, defaultLevel: 'TRACE', logger: silentLogger }),
      metrics: createServerMetrics(),
      logger: silentLogger,
      // These tests are about flushes: each flush its own jobs, none gathered
      // (job-writer.test.ts covers gathering).
      gatherMs: 0,
      ...options,
    });
    opened.push({ ingest, queue });
    const log = (message: string) => ingest.log({ component: 'c', level: 'INFO', message });
    return { ingest, queue, log };
  }

  const idOf = (reply: LogReply) => (reply.queued ? reply.id : 'not queued');
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('maxFlushEntries caps the entries of one round trip: a burst goes in several flushes', async () => {
    const { queue, log } = open({ maxFlushEntries: 3, lingerMs: 0 });
    const ids = (await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(log))).map(idOf);
    expect(new Set(ids).size).toBe(3);
    const jobs = await queue.getJobs(['waiting'], 0, -1, true);
    expect(jobs.map((job) => job.data.entries.map((entry) => entry.message))).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g'],
    ]);
    expect(jobs.map((job) => job.name)).toEqual(
      jobs.map((job) => expect.stringMatching(`^${job.data.entries.length} entr`)),
    );
  });

  it('maxJobEntries splits one flush into jobs that each fit a Dewey batch', async () => {
    const { queue, log } = open({ maxJobEntries: 2 });
    const ids = (await Promise.all(['a', 'b', 'c', 'd', 'e'].map(log))).map(idOf);
    expect(ids).toEqual([ids[0], ids[0], ids[2], ids[2], ids[4]]);
    expect(new Set(ids).size).toBe(3);
    expect(await queue.count()).toBe(3);
  });

  it('while calls keep coming (busyWindowMs), a flush lingers lingerMs so that calls share a job', async () => {
    const { log } = open({ lingerMs: 300, busyWindowMs: 5000 });
    let started = performance.now();
    await log('first');
    // After a quiet spell a call never waits.
    expect(performance.now() - started).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 20)); // that flush is over
    started = performance.now();
    const b = log('b');
    await nextTurn();
    const c = log('c'); // read in a later turn, still within the linger
    const [replyB, replyC] = await Promise.all([b, c]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(idOf(replyB)).toBe(idOf(replyC));
  });

  it('past busyWindowMs since the last flush, a call does not linger', async () => {
    const { log } = open({ lingerMs: 300, busyWindowMs: 20 });
    await log('first');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const started = performance.now();
    await log('b');
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('with lingerMs 0, a call read in a later turn goes in a flush of its own', async () => {
    const { log } = open({ lingerMs: 0, busyWindowMs: 5000 });
    await log('first');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = log('b');
    await nextTurn();
    const c = log('c');
    const [replyB, replyC] = await Promise.all([b, c]);
    expect(idOf(replyB)).not.toBe(idOf(replyC));
  });

  it('trimIntervalMs spaces the bound checks: the excess of a later flush waits for the next one', async () => {
    const { queue, log } = open({ trimIntervalMs: 1500, lingerMs: 0 }, 5);
    const waiting = async () => {
      const account = await redis.hgetall(boundAccountKey(queue));
      return Number(account.entries);
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => log(`a${i}`)));
    // The first check follows the first flush at once.
    await expect.poll(waiting).toBe(5);
    const firstCheck = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => log(`b${i}`)));
    expect(await waiting()).toBe(13);
    await expect.poll(waiting, { timeout: 5000, interval: 50 }).toBe(5);
    expect(performance.now() - firstCheck).toBeGreaterThanOrEqual(1300);
    expect(await queue.count()).toBeLessThanOrEqual(2);
  });
});
