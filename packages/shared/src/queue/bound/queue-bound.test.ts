import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateQueues, testEntry } from '../../../../../test/support/private-queues.js';
import { boundAccountKey } from '../../redis/redis-keys.js';
import { addLogJobs } from '../add-log-jobs.js';
import type { LogEntry } from '../log-entry.js';
import { jobEntries, LOG_JOB_OPTIONS, type LogJobData } from '../log-job.js';
import { logJobName, parseLogJobName } from './log-job-name.js';
import { QueueBound } from './queue-bound.js';

const entry = (message: string) => testEntry(message);

describe('QueueBound, the script against a real Redis', () => {
  const queues = privateQueues('bound');
  let redis: Redis;
  beforeAll(() => {
    redis = queues.redis();
  });

  const queue = () => queues.queue();

  /** Adds one job per group of messages, each entry counted as 100 bytes. */
  async function add(q: Queue, ...jobs: string[][]): Promise<string[]> {
    return addLogJobs(
      q,
      jobs.map((messages) => ({ entries: messages.map(entry) })),
      LOG_JOB_OPTIONS,
      jobs.map((messages) => messages.length * 100),
    );
  }

  /** The waiting jobs, oldest first: their name and the entries still to deliver. */
  async function waiting(q: Queue) {
    const jobs = await q.getJobs(['waiting'], 0, -1, true);
    return jobs.map((job) => ({
      name: job.name,
      messages: (jobEntries(job) as LogEntry[]).map((e) => e.message),
    }));
  }

  it('drops whole oldest jobs, cuts the next one in the name format the TypeScript side reads', async () => {
    const q = queue();
    await add(q, ['a1', 'a2', 'a3', 'a4'], ['b1', 'b2', 'b3', 'b4'], ['c1', 'c2', 'c3', 'c4']);
    expect(await new QueueBound(redis, q, 6).trim()).toBe(6);
    const jobs = await waiting(q);
    expect(jobs).toEqual([
      { name: logJobName(2, 200), messages: ['b3', 'b4'] },
      { name: logJobName(4, 400), messages: ['c1', 'c2', 'c3', 'c4'] },
    ]);
    // The script wrote the cut job's name exactly as logJobName would.
    expect(parseLogJobName(jobs[0]?.name ?? '')).toEqual({ count: 2, bytes: 200 });
    expect(await redis.hgetall(boundAccountKey(q))).toEqual({
      entries: '6',
      bytes: '600',
      jobs: '2',
    });
    // A dropped job leaves no data behind.
    expect(await redis.exists(q.toKey('1'))).toBe(0);
  });

  it('cuts to one entry in the singular, and keeps bytes in proportion (rounded up)', async () => {
    const q = queue();
    await addLogJobs(q, [{ entries: ['x', 'y', 'z'].map(entry) }], LOG_JOB_OPTIONS, [100]);
    expect(await new QueueBound(redis, q, 1).trim()).toBe(2);
    expect(await waiting(q)).toEqual([{ name: '1 entry (34 bytes)', messages: ['z'] }]);
  });

  it('in bytes, drops whole oldest jobs until the rest fits', async () => {
    const q = queue();
    await add(q, ['a1', 'a2'], ['b1', 'b2'], ['c1']);
    expect(await new QueueBound(redis, q, 1000, 350).trim()).toBe(2);
    expect((await waiting(q)).map((job) => job.messages)).toEqual([['b1', 'b2'], ['c1']]);
  });

  it('within the bound it changes nothing', async () => {
    const q = queue();
    await add(q, ['a1', 'a2']);
    expect(await new QueueBound(redis, q, 2).trim()).toBe(0);
    expect((await waiting(q)).map((job) => job.messages)).toEqual([['a1', 'a2']]);
  });

  it('recounts before dropping when jobs left the list behind its back, and counts foreign jobs as one entry', async () => {
    const q = queue();
    await add(q, ['a1', 'a2', 'a3']);
    await q.drain(); // the account still says 3 entries
    await add(q, ['b1', 'b2']);
    expect(await new QueueBound(redis, q, 4).trim()).toBe(0); // 5 > 4, but a recount finds 2
    expect(await redis.hgetall(boundAccountKey(q))).toEqual({
      entries: '2',
      bytes: '200',
      jobs: '1',
    });
    // A job of Godot 0.1 (any other name, one entry as its data), unknown to the account.
    await q.add('log', entry('old') as unknown as LogJobData);
    await add(q, ['c1', 'c2']);
    expect(await new QueueBound(redis, q, 3).trim()).toBe(2);
    expect((await waiting(q)).map((job) => job.messages)).toEqual([['old'], ['c1', 'c2']]);
  });

  it('trims the paused list while the queue is paused', async () => {
    const q = queue();
    await q.pause();
    await add(q, ['a1', 'a2'], ['b1', 'b2']);
    expect(await new QueueBound(redis, q, 2).trim()).toBe(2);
    expect(await redis.llen(q.toKey('paused'))).toBe(1);
  });
});
