import { randomUUID } from 'node:crypto';
import { RedisServer } from '@godot/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundAccountKey } from '../redis/redis-keys.js';
import { addLogJobs } from './add-log-jobs.js';
import type { LogEntry } from './log-entry.js';
import { LOG_JOB_OPTIONS, type LogJobData } from './log-job.js';

const entry = (message: string): LogEntry => ({
  component: 'c',
  level: 'INFO',
  message,
  trace_id: null,
  data: null,
  created_at: '2025-01-01T00:00:00.000Z',
});

describe('addLogJobs', () => {
  let server: RedisServer;
  let redis: Redis;
  const queues: Queue[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    redis?.disconnect();
    await server?.close();
  });

  function queue(): Queue<LogJobData> {
    const q = new Queue<LogJobData>(`add-${randomUUID()}`, { connection: redis });
    queues.push(q);
    return q;
  }

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
