import { addLogJobs, JobAppender, LOG_JOB_OPTIONS, type LogEntry } from '@godot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, startWorkerStack, type WorkerStack } from '../worker.fixture.js';

let stack: WorkerStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Job counts by state; `wait` and `active` reach 0 once everything is delivered. */
async function unfinished(of: WorkerStack | undefined) {
  const counts = await of?.queue.getJobCounts('completed', 'failed', 'active', 'wait');
  return (
    counts && {
      completed: counts.completed,
      failed: counts.failed,
      active: counts.active,
      wait: counts.wait,
    }
  );
}

/** Job hashes still in Redis (ids are numbers; the queue's own keys are names). */
async function jobKeysLeft(of: WorkerStack): Promise<number> {
  const keys = await of.raw.keys(of.queue.toKey('*'));
  return keys.filter((key) => /:\d+$/.test(key)).length;
}

const range = (count: number, prefix = 'm') =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('LogWorker batching', () => {
  it('delivers 150 entries as batches of 100 and 50, in order', async () => {
    stack = await startWorkerStack();
    await stack.enqueue(150);
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(150);
    expect(rows.map((row) => row.message)).toEqual(range(150));
    expect(stack.dewey.calls.storeBatchSizes).toEqual([100, 50]);
    await expect
      .poll(() => unfinished(stack))
      .toEqual({ completed: 0, failed: 0, active: 0, wait: 0 });
    // Delivered entries do not stay in Redis: the jobs are gone, data and all.
    expect(await jobKeysLeft(stack)).toBe(0);
  });

  it('delivers a job that gathered entries (its data, then its logs list) as one batch, and leaves none of its keys', async () => {
    stack = await startWorkerStack();
    const entry = (message: string): LogEntry => ({
      component: 'gather',
      level: 'INFO',
      message,
      trace_id: null,
      data: null,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    // What the server's job writer does: a delayed job, then two appends.
    const [id] = await addLogJobs(stack.queue, [{ entries: [entry('a')] }], {
      ...LOG_JOB_OPTIONS,
      delay: 300,
    });
    const appender = new JobAppender(stack.raw, stack.queue);
    const json = (...messages: string[]) => JSON.stringify(messages.map(entry));
    expect(await appender.append(id as string, json('b', 'c'), 2, 10)).toBe(true);
    expect(await appender.append(id as string, json('d'), 1, 5)).toBe(true);
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(4);
    expect(rows.map((row) => row.message).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(stack.dewey.calls.storeBatchSizes).toEqual([4]);
    await expect
      .poll(() => unfinished(stack))
      .toEqual({ completed: 0, failed: 0, active: 0, wait: 0 });
    expect(await stack.raw.keys(stack.queue.toKey(`${id}*`))).toEqual([]);
    // Once a worker has the job, an append is refused: nothing is written.
    expect(await appender.append(id as string, json('late'), 1, 5)).toBe(false);
    expect(await stack.raw.keys(stack.queue.toKey(`${id}*`))).toEqual([]);
  });

  it('delivers one lone entry without any further entry arriving', async () => {
    stack = await startWorkerStack();
    await stack.startWorker();
    await stack.enqueue(1, 'lonely');
    const rows = await stack.dewey.waitForRows(1);
    expect(rows.map((row) => row.message)).toEqual(['lonely0']);
    expect(stack.dewey.calls.storeBatchSizes).toEqual([1]);
  });

  it('keeps batches under BATCH_MAX_BYTES', async () => {
    stack = await startWorkerStack({ BATCH_MAX_BYTES: 4096 });
    await stack.enqueue(10, 'big', { data: { blob: 'x'.repeat(1500) } });
    await stack.startWorker();
    await stack.dewey.waitForRows(10);
    expect(Math.max(...stack.dewey.calls.storeBatchSizes)).toBeLessThanOrEqual(2);
  });
});

describe('LogWorker when Dewey is away', () => {
  it('holds 5,000 entries while Dewey is stopped and delivers all once it returns', async () => {
    stack = await startWorkerStack();
    await stack.dewey.stop();
    const worker = await stack.startWorker();
    await stack.enqueue(5000);
    // Let the worker try and back off a few times.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await stack.queue.getJobCounts('failed', 'completed')).toEqual({
      failed: 0,
      completed: 0,
    });
    await stack.dewey.start();
    const rows = await stack.dewey.waitForRows(5000, 30_000);
    expect(rows).toHaveLength(5000);
    expect(new Set(rows.map((row) => row.message)).size).toBe(5000);
    // Delivered jobs leave Redis at once.
    await expect
      .poll(() => unfinished(stack), { timeout: 10_000 })
      .toEqual({ completed: 0, failed: 0, active: 0, wait: 0 });
    const metrics = await worker.metrics.registry.getSingleMetricAsString(
      'godot_logs_delivered_total',
    );
    expect(metrics).toContain('godot_logs_delivered_total 5000');
  });

  it('retries a batch whose connection dropped mid-call, failing nothing', async () => {
    stack = await startWorkerStack();
    await stack.startWorker();
    stack.dewey.hold();
    await stack.enqueue(30);
    await stack.dewey.waitForHeld(1);
    stack.dewey.dropConnections();
    stack.dewey.release();
    const rows = await stack.dewey.waitForRows(30);
    expect(rows.map((row) => row.message).sort()).toEqual(range(30).sort());
    expect(await stack.queue.getJobCounts('failed')).toEqual({ failed: 0 });
  });
});

describe('LogWorker stopping while Dewey hangs', () => {
  it('hands back the batches behind one Dewey did not answer, without trying each', async () => {
    stack = await startWorkerStack();
    const worker = await stack.startWorker();
    stack.dewey.hold();
    await stack.enqueue(300);
    await stack.dewey.waitForHeld(1);
    // One batch of 100 is held by Dewey; the worker holds 200 jobs (its
    // concurrency), so a second batch waits behind it (one call at a time).
    await expect
      .poll(() => stack?.queue.getJobCounts('active'), { timeout: 10_000 })
      .toEqual({ active: 200 });
    await worker.close();
    // Before: each batch behind waited DEWEY_TIMEOUT_MS in turn, so a stop
    // with a hung Dewey outlasted supervisord's budget.
    expect(stack.dewey.calls.store).toBe(1);
    const returned = await worker.metrics.registry.getSingleMetricAsString(
      'godot_jobs_returned_total',
    );
    expect(returned).toContain('godot_jobs_returned_total 200');
    // Dewey may still store the batch it held (at least once: duplicates are
    // allowed); every entry must arrive.
    stack.dewey.release();
    await stack.startWorker();
    await expect
      .poll(() => new Set(stack?.dewey.stored().map((row) => row.message)).size, {
        timeout: 20_000,
      })
      .toBe(300);
  });
});

describe('LogWorker and poisoned entries', () => {
  it('stores 99 of 100 and dead-letters the one Dewey refuses, with its message', async () => {
    stack = await startWorkerStack();
    const ids = await stack.enqueue(100);
    // Entry 42 carries a trace_id Dewey cannot store: its UUID column refuses it.
    const poisoned = await stack.queue.getJob(ids[42] as string);
    const [entry] = poisoned?.data.entries ?? [];
    await poisoned?.updateData({ entries: [{ ...(entry as LogEntry), trace_id: 'not-a-uuid' }] });
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(99);
    expect(rows.map((row) => row.message)).toEqual(range(100).filter((m) => m !== 'm42'));
    await expect.poll(() => stack?.queue.getJobCounts('failed')).toEqual({ failed: 1 });
    const [failed] = await stack.queue.getFailed();
    expect(failed?.data.entries.map((e) => e.message)).toEqual(['m42']);
    expect(failed?.failedReason).toMatch(
      /^Dewey rejected this entry: Internal error: invalid input for query argument/,
    );
    expect(failed?.failedReason).toContain('invalid UUID');
  });

  it('isolates a refused entry of a larger job as a failed job of its own, retryable', async () => {
    stack = await startWorkerStack();
    const ids = await stack.enqueue(100, 'm', {}, 10);
    // Entry 42 is the third of the fifth job.
    const job = await stack.queue.getJob(ids[4] as string);
    const entries = [...(job?.data.entries ?? [])];
    entries[2] = { ...(entries[2] as LogEntry), trace_id: 'not-a-uuid' };
    await job?.updateData({ entries });
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(99);
    expect(rows.map((row) => row.message)).toEqual(range(100).filter((m) => m !== 'm42'));
    await expect.poll(() => stack?.queue.getJobCounts('failed')).toEqual({ failed: 1 });
    const [failed] = await stack.queue.getFailed();
    expect(failed?.data.entries.map((e) => e.message)).toEqual(['m42']);
    expect(failed?.failedReason).toMatch(
      /^Dewey rejected this entry: Internal error: .*invalid UUID/,
    );
    // The rest of its job was delivered: the job itself completed (and left Redis).
    expect(await stack.queue.getJob(ids[4] as string)).toBeUndefined();
    // Retried from the dashboard once mended, the dead letter is delivered.
    const [bad] = failed?.data.entries ?? [];
    await failed?.updateData({
      ...failed.data,
      entries: [{ ...(bad as LogEntry), trace_id: null }],
    });
    await failed?.retry();
    await expect
      .poll(async () => (await stack?.dewey.waitForRows(100))?.map((row) => row.message))
      .toContain('m42');
    await expect.poll(() => stack?.queue.getJobCounts('failed')).toEqual({ failed: 0 });
  });

  it('delivers jobs queued by Godot 0.1 (one entry as the whole job data)', async () => {
    stack = await startWorkerStack();
    await stack.enqueueOneDotZero(5);
    await stack.enqueue(5);
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(10);
    expect(rows.map((row) => row.message)).toEqual([...range(5, 'old'), ...range(5)]);
  });

  it('delivers only the entries a job still keeps after the bound cut it', async () => {
    stack = await startWorkerStack();
    const [id] = await stack.enqueue(5, 'm', {}, 5);
    // What the server's bound does to the oldest job when it drops part of it.
    await stack.raw.hset(stack.queue.toKey(id as string), 'name', '3 entries (300 bytes)');
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(3);
    expect(rows.map((row) => row.message)).toEqual(['m2', 'm3', 'm4']);
  });

  it('dead-letters a job whose data is not a log entry, without stopping', async () => {
    stack = await startWorkerStack();
    await stack.queue.add('log', { nonsense: true } as never);
    await stack.enqueue(3);
    await stack.startWorker();
    await stack.dewey.waitForRows(3);
    await expect.poll(() => stack?.queue.getJobCounts('failed')).toEqual({ failed: 1 });
    const [failed] = await stack.queue.getFailed();
    expect(failed?.failedReason).toMatch(/^invalid log entry in job data/);
  });

  it('retries a batch Dewey refuses entirely before blaming the entries', async () => {
    stack = await startWorkerStack();
    stack.dewey.rejectNext(2);
    await stack.enqueue(10);
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(10);
    expect(rows).toHaveLength(10);
    expect(await stack.queue.getJobCounts('failed')).toEqual({ failed: 0 });
  });
});

describe('LogWorker processes', () => {
  it('a worker SIGKILLed while Dewey holds its batch loses nothing: another delivers every entry', async () => {
    stack = await startWorkerStack();
    stack.dewey.hold();
    const first = await stack.spawnWorker();
    await stack.enqueue(250);
    await stack.dewey.waitForHeld(1);
    first.kill('SIGKILL');
    await exited(first);
    stack.dewey.release();
    stack.dewey.clear();
    await stack.spawnWorker();
    const rows = await stack.dewey.waitForRows(250, 30_000);
    const messages = new Set(rows.map((row) => row.message));
    for (const message of range(250)) expect(messages.has(message)).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(250);
    expect(await stack.queue.getJobCounts('failed')).toEqual({ failed: 0 });
  });

  it('SIGTERM under load exits 0; a restarted worker delivers the rest, stored = sent', async () => {
    stack = await startWorkerStack();
    stack.dewey.setReplyDelay(20);
    await stack.enqueue(3000);
    const first = await stack.spawnWorker();
    await stack.dewey.waitForRows(200, 20_000);
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    stack.dewey.setReplyDelay(0);
    await stack.spawnWorker();
    const rows = await stack.dewey.waitForRows(3000, 30_000);
    expect(rows.map((row) => row.message).sort()).toEqual(range(3000).sort());
    await expect
      .poll(() => unfinished(stack), { timeout: 10_000 })
      .toEqual({ completed: 0, failed: 0, active: 0, wait: 0 });
  });

  it('two workers at once store every entry', async () => {
    stack = await startWorkerStack();
    await Promise.all([stack.startWorker(), stack.startWorker()]);
    await stack.enqueue(2000);
    const rows = await stack.dewey.waitForRows(2000, 30_000);
    expect(rows.map((row) => row.message).sort()).toEqual(range(2000).sort());
  });
});
