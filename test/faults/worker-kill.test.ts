/**
 * The worker is SIGKILLed three times under load: a worker killed mid-batch
 * loses nothing, its jobs are delivered later, perhaps twice
 * (docs/product.md#at-least-once-delivery). With WORKER_LOCK_MS 2000
 * the jobs a dead worker held return to the queue within a few seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../support/delivery-check.js';
import { metricSum } from '../support/http-probe.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

describe('fault: worker SIGKILLed under load', () => {
  it('stores every acknowledged entry after three kills (duplicates reported)', async ({
    onTestFailed,
  }) => {
    const s = await startStack({ onTestFailed });
    // Slow Dewey down a little so that every kill finds batches in flight.
    s.dewey.setReplyDelay(20);

    const { load, run } = s.startLoad({
      connections: 4,
      rate: 800,
      // Stopped 1 s after the third restart (restarts from source take 1-3 s).
      durationMs: 60_000,
      prefix: 'worker-kill',
    });
    const killedAt: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      await sleep(900);
      killedAt.push(load.progress.sent);
      const exit = await s.worker.kill();
      expect(exit.signal).toBe('SIGKILL');
      await s.worker.start();
    }
    await sleep(1000);
    load.stop();
    const result = await run;
    // Every kill landed while calls were still being made.
    expect(killedAt.at(-1)).toBeLessThan(result.sent);

    const report = await s.stored.waitFor(result.acknowledged.keys(), {
      timeoutMs: 40_000,
      quietMs: 15_000,
    });
    const worker = await s.workerMetrics();
    console.log(
      `${describeDelivery('worker kill x3', report)}; killed after calls #${killedAt.join(', #')} of ${result.sent}; stalled jobs recovered by the last worker ${metricSum(worker, 'godot_jobs_stalled_total')}`,
    );
    expect(result.hung).toEqual([]);
    expect(result.refused).toEqual([]);
    expect(result.acknowledged.size).toBeGreaterThan(2000);
    expect(report.lost).toEqual([]);
    expect((await s.queueCounts()).failed).toBe(0);
  }, 90_000);
});
