import {
  boundAccountKey,
  JobAppender,
  jobEntries,
  type LogEntry,
  QueueBound,
  silentLogger,
} from '@godot/shared';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateQueues } from '../../../../test/support/private-queues.js';
import { JobWriter } from './job-writer.js';
import { shapeEntry } from './shape-entry.js';

describe('JobWriter, on a real Redis', () => {
  const queues = privateQueues('writer');
  let redis: Redis;
  beforeAll(() => {
    redis = queues.redis();
  });

  /** A writer on a fresh queue; `gatherMs` long enough that no test sees a job come due. */
  function open(options: { maxJobEntries?: number; maxJobBytes?: number } = {}) {
    const queue = queues.queue();
    const writer = new JobWriter({
      queue,
      appender: new JobAppender(redis, queue),
      logger: silentLogger,
      gatherMs: 60_000,
      ...options,
    });
    const flush = (...messages: string[]) =>
      writer.write(
        messages.map((message) => ({
          item: shapeEntry({ component: 'c', level: 'INFO', message }, new Date(), 1 << 20),
        })),
      );
    return { queue, writer, flush };
  }

  /** The messages a job will deliver: its data's entries, then those appended to its logs. */
  const messages = async (queue: Queue, id: string | undefined) => {
    const job = await queue.getJob(id as string);
    if (!job) return [];
    const { logs } = await queue.getJobLogs(id as string);
    return (jobEntries(job, logs) as LogEntry[]).map((entry) => entry.message);
  };

  it('gathers the entries of several flushes into one delayed job, accounted for in the bound', async () => {
    const { queue, flush } = open();
    const first = await flush('a', 'b');
    const second = await flush('c');
    const third = await flush('d', 'e');
    const ids = [...first, ...second, ...third];
    expect(new Set(ids).size).toBe(1);
    const id = ids[0] as string;
    expect(await queue.getJobState(id)).toBe('delayed');
    const job = await queue.getJob(id);
    expect(await messages(queue, id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The first flush is the job's data; each later one a line of its logs.
    expect(job?.data.entries.map((entry) => entry.message)).toEqual(['a', 'b']);
    const { logs } = await queue.getJobLogs(id);
    expect(logs.map((line) => (JSON.parse(line) as LogEntry[]).map((e) => e.message))).toEqual([
      ['c'],
      ['d', 'e'],
    ]);
    const bytes = (jobEntries(job as Job, logs) as LogEntry[]).reduce(
      (sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)),
      0,
    );
    expect(job?.name).toBe(`5 entries (${bytes} bytes)`);
    expect(await redis.hgetall(boundAccountKey(queue))).toEqual({
      entries: '5',
      bytes: String(bytes),
      jobs: '1',
    });
  });

  it('promotes a job once it holds maxJobEntries, and starts the next one', async () => {
    const { queue, flush } = open({ maxJobEntries: 3 });
    const ids = [...(await flush('a', 'b')), ...(await flush('c', 'd')), ...(await flush('e'))];
    expect(ids[0]).toBe(ids[2]);
    expect(ids[3]).not.toBe(ids[0]);
    expect(ids[4]).toBe(ids[3]);
    await expect.poll(() => queue.getJobState(ids[0] as string)).toBe('waiting');
    expect(await queue.getJobState(ids[3] as string)).toBe('delayed');
    expect(await messages(queue, ids[0])).toEqual(['a', 'b', 'c']);
    expect(await messages(queue, ids[3])).toEqual(['d', 'e']);
  });

  it('one flush larger than a job: full jobs wait at once, the rest gathers', async () => {
    const { queue, flush } = open({ maxJobEntries: 2 });
    const ids = await flush('a', 'b', 'c', 'd', 'e');
    expect(new Set(ids).size).toBe(3);
    const states = await Promise.all([...new Set(ids)].map((id) => queue.getJobState(id)));
    expect(states).toEqual(['waiting', 'waiting', 'delayed']);
  });

  it('once a worker has taken the job, the next flush starts a new one: nothing lost, nothing twice', async () => {
    const { queue, flush } = open();
    const [first] = await flush('a');
    // What a worker does when the delay ends (or a person in the dashboard).
    await (await queue.getJob(first as string))?.promote();
    const [second] = await flush('b');
    expect(second).not.toBe(first);
    expect(await messages(queue, first)).toEqual(['a']);
    expect(await messages(queue, second)).toEqual(['b']);
    expect((await redis.hgetall(boundAccountKey(queue))).entries).toBe('2');
  });

  it('the bound drops the oldest entries of delayed jobs too, and a cut job keeps gathering', async () => {
    const { queue, flush } = open({ maxJobEntries: 4 });
    const bound = new QueueBound(redis, queue, 5);
    // Two full jobs wait (a..d, e..h), a third gathers (i, j).
    const ids = [...(await flush('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')), ...(await flush('i'))];
    await flush('j');
    expect(await bound.trim()).toBe(5);
    // a..d went whole; e..h was cut to its newest three.
    expect(await queue.getJob(ids[0] as string)).toBeUndefined();
    expect(await messages(queue, ids[4])).toEqual(['f', 'g', 'h']);
    // Now only delayed jobs: the gathering job is cut while it gathers.
    const { queue: q2, flush: flush2 } = open({ maxJobEntries: 10 });
    const bound2 = new QueueBound(redis, q2, 2);
    const [open2] = await flush2('a', 'b', 'c');
    expect(await bound2.trim()).toBe(1);
    await flush2('d');
    expect(await messages(q2, open2)).toEqual(['b', 'c', 'd']);
    expect(await bound2.trim()).toBe(1);
    expect(await messages(q2, open2)).toEqual(['c', 'd']);
  });
});
