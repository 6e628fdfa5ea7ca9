import { jobEntries, type LogEntry, REDIS_KEYS, silentLogger } from '@godot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerStack, type WorkerStack } from '../worker.fixture.js';
import { fromLegacy, migrateLegacyQueue } from './legacy-migration.js';

let stack: WorkerStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** What the Python Godot did: LPUSH JSON strings, so the newest is at the head. */
async function pythonLogs(target: WorkerStack, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await target.raw.lpush(
      REDIS_KEYS.legacyQueue,
      JSON.stringify({
        component: 'py',
        level: i % 2 ? 'WARNING' : 'info',
        message: `old${i}`,
        trace_id: null,
        data: null,
        created_at: '2026-11-01T00:00:00Z',
      }),
    );
  }
}

describe("migrating the Python Godot's logs:queue", () => {
  it('moves every entry into the queue, oldest first, and delivers them in order', async () => {
    stack = await startWorkerStack();
    await pythonLogs(stack, 1200);
    const worker = await stack.startWorker();
    const rows = await stack.dewey.waitForRows(1200, 20_000);
    expect(rows.map((row) => row.message)).toEqual(
      Array.from({ length: 1200 }, (_, i) => `old${i}`),
    );
    expect(rows[1]?.level).toBe('WARN');
    expect(await stack.raw.exists(REDIS_KEYS.legacyQueue, REDIS_KEYS.legacyStaging)).toBe(0);
    expect(
      await worker.metrics.registry.getSingleMetricAsString('godot_legacy_entries_migrated_total'),
    ).toContain(' 1200');
  });

  it('re-queues a chunk left staged by a worker that died midway', async () => {
    stack = await startWorkerStack();
    await pythonLogs(stack, 3);
    // A previous run staged the two oldest and died before queueing them.
    await stack.raw.rpush(
      REDIS_KEYS.legacyStaging,
      ...((await stack.raw.rpop(REDIS_KEYS.legacyQueue, 2)) ?? []),
    );
    const moved = await migrateLegacyQueue({
      redis: stack.raw,
      queue: stack.queue,
      logger: silentLogger,
      chunk: 1,
    });
    expect(moved).toBe(3);
    const jobs = await stack.queue.getJobs(['waiting'], 0, -1, true);
    const entries = jobs.flatMap((job) => jobEntries(job) as LogEntry[]);
    expect(entries.map((entry) => entry.message)).toEqual(['old0', 'old1', 'old2']);
  });

  it('keeps unreadable entries, for the worker to dead-letter with a reason', () => {
    expect(fromLegacy('not json')).toEqual({
      readable: false,
      value: { unreadable: 'not json' },
      problem: expect.stringContaining('component'),
    });
    expect(
      fromLegacy('{"component":"c","level":"warning","message":"m","timestamp":1795000000}'),
    ).toEqual({
      readable: true,
      entry: {
        component: 'c',
        level: 'WARN',
        message: 'm',
        trace_id: null,
        data: null,
        created_at: new Date(1795000000 * 1000).toISOString(),
      },
    });
  });

  it('queues an entry that maps to no valid log entry alone, and the worker fails just that job', async () => {
    stack = await startWorkerStack();
    await pythonLogs(stack, 2);
    await stack.raw.lpush(REDIS_KEYS.legacyQueue, 'not json');
    await stack.raw.lpush(
      REDIS_KEYS.legacyQueue,
      JSON.stringify({ component: 'py', level: 'LOUD', message: 'bad', created_at: 'x' }),
    );
    await pythonLogs(stack, 1);
    await stack.startWorker();
    const rows = await stack.dewey.waitForRows(3);
    expect(rows.map((row) => row.message)).toEqual(['old0', 'old1', 'old0']);
    await expect.poll(() => stack?.queue.getJobCounts('failed')).toEqual({ failed: 2 });
    const failed = await stack.queue.getFailed();
    expect(failed.map((job) => job.data.entries)).toEqual(
      expect.arrayContaining([
        [{ unreadable: 'not json' }],
        [expect.objectContaining({ level: 'LOUD', message: 'bad' })],
      ]),
    );
    for (const job of failed) expect(job.failedReason).toMatch(/^invalid log entry in job data: /);
  });
});
