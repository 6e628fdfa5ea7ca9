/**
 * Dewey goes away under load and comes back: nothing is failed or dropped,
 * entries stay queued, and the worker resumes by itself
 * (docs/product.md#dewey-outage).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../support/delivery-check.js';
import { metricSum } from '../support/http-probe.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

describe('fault: Dewey down under load', () => {
  it('stores every acknowledged entry once Dewey is back, and fails no job', async ({
    onTestFailed,
  }) => {
    const s = await startStack({ onTestFailed });

    const { load, run } = s.startLoad({
      connections: 4,
      rate: 800,
      durationMs: 4000,
      prefix: 'dewey-outage',
    });
    await sleep(1000);
    await s.dewey.stop();
    const downAt = load.progress.acknowledged.size;
    await sleep(2000);
    const upAt = load.progress.acknowledged.size;
    await s.dewey.start();
    const result = await run;

    const report = await s.stored.waitFor(result.acknowledged.keys());
    console.log(
      `${describeDelivery('dewey outage', report)}; acknowledged while Dewey was down ${upAt - downAt}; refused ${result.refused.length}`,
    );
    expect(result.hung).toEqual([]);
    // Dewey's outage is invisible to callers: the server only needs Redis.
    expect(result.refused).toEqual([]);
    // The outage happened under load: ~1,600 entries were acknowledged while Dewey was away.
    expect(upAt - downAt).toBeGreaterThan(500);
    expect(report.lost).toEqual([]);
    const counts = await s.queueCounts();
    expect(counts.failed).toBe(0);
    const worker = await s.workerMetrics();
    expect(metricSum(worker, 'godot_logs_dead_lettered_total')).toBe(0);
    expect(metricSum(worker, 'godot_delivery_retries_total')).toBeGreaterThan(0);
  }, 60_000);
});
