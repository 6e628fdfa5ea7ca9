import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateQueues, testEntry } from '../../../../test/support/private-queues.js';
import { boundAccountKey } from '../redis/redis-keys.js';
import { addLogJobs } from './add-log-jobs.js';
import { LOG_JOB_OPTIONS } from './log-job.js';

const entry = (message: string) => testEntry(message);

describe('addLogJobs', () => {
  const queues = privateQueues('add');
  let redis: Redis;
  beforeAll(() => {
    redis = queues.redis();
  });

  const queue = () => queues.queue();

  it('adds the jobs in order, named by their entries and bytes, and raises the account in the same MULTI', async () => {
    const q = queue();
    const jobs = [{ entries: [entry('a'), entry('b')] }, { entries: [entry('c')] }];
    const ids = await addLogJobs(q, jobs, LOG_JOB_OPTIONS);
    expect(ids).toEqual(['1', '2']);
    const sizes = jobs.map((job) => Buffer.byteLength(JSON.stringify(job.entries)));
    const stored = await Promise.all(ids.map((id) => q.getJob(id)));
    expect(stored.map((job) => [job?.name, job?.data])).toEqual([
      [`2 entries (${sizes[0]} bytes)`, jobs[0]],
      [`1 entry (${sizes[1]} bytes)`, jobs[1]],
    ]);
    expect(await redis.hgetall(boundAccountKey(q))).toEqual({
      entries: '3',
      bytes: String((sizes[0] ?? 0) + (sizes[1] ?? 0)),
      jobs: '2',
    });
  });

  it('takes the sizes the caller measured', async () => {
    const q = queue();
    const [id] = await addLogJobs(q, [{ entries: [entry('a')] }], LOG_JOB_OPTIONS, [77]);
    expect((await q.getJob(id ?? ''))?.name).toBe('1 entry (77 bytes)');
    expect(await redis.hget(boundAccountKey(q), 'bytes')).toBe('77');
  });

  it('after the node lost its scripts, loads them again and adds each job once', async () => {
    const q = queue();
    await addLogJobs(q, [{ entries: [entry('a')] }], LOG_JOB_OPTIONS);
    await redis.script('FLUSH');
    const ids = await addLogJobs(
      q,
      [{ entries: [entry('b')] }, { entries: [entry('c')] }],
      LOG_JOB_OPTIONS,
    );
    expect(ids).toEqual(['2', '3']);
    expect(await q.getWaitingCount()).toBe(3);
    expect(await redis.hgetall(boundAccountKey(q))).toMatchObject({ entries: '3', jobs: '3' });
  });
});
