/**
 * Redis is SIGKILLed under load and started again from its AOF.
 *
 * Dewey is stopped first, so that when Redis dies it holds seconds of
 * acknowledged entries that nothing has delivered yet: whatever the AOF did
 * not keep shows up as lost.
 *
 * - `appendfsync always`: Redis fsyncs before it replies, so every job the
 *   server acknowledged is on disk; the test requires zero loss.
 * - `appendfsync everysec` (production, docs/product.md#at-least-once-delivery): the window is
 *   "up to about 1 s of writes" (2 s if an fsync stalls). That window is about
 *   the kernel: Redis write()s the AOF buffer to the file before it sends the
 *   replies of each event-loop turn, so a killed redis-server leaves its
 *   acknowledged writes in the page cache and they survive; only a kernel crash
 *   or power loss, which a test cannot stage, loses the unsynced second. What we
 *   measured on a 2-core machine: 0 entries lost in every run (see the
 *   console line). The test asserts the documented bound (≤ 1 s of the load
 *   rate), not the 0 we observe, since a postponed write (fsync still running
 *   when the next turn ends) may legitimately lose some.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type DeliveryReport, describeDelivery } from '../support/delivery-check.js';
import type { LoadResult } from '../support/load-generator.js';
import { type ProcessStack, processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

const RATE = 800;

/**
 * Load for 5 s; Dewey down from 1 s; Redis SIGKILLed at 3 s and started again
 * 0.5 s later (calls in that gap get tool errors); Dewey back at the end.
 */
async function crashUnderLoad(
  s: ProcessStack,
  prefix: string,
): Promise<{ result: LoadResult; report: DeliveryReport; ackedBeforeKill: number }> {
  const { load, run } = s.startLoad({
    connections: 4,
    rate: RATE,
    durationMs: 5000,
    prefix,
  });
  await sleep(1000);
  await s.dewey.stop();
  await sleep(2000);
  await s.redis.kill();
  const ackedBeforeKill = load.progress.acknowledged.size;
  await sleep(500);
  await s.redis.restart();
  const result = await run;
  await s.dewey.start();
  const report = await s.stored.waitFor(result.acknowledged.keys(), {
    timeoutMs: 30_000,
    quietMs: 8000,
  });
  return { result, report, ackedBeforeKill };
}

describe('fault: Redis SIGKILLed under load', () => {
  it('loses nothing acknowledged with appendfsync always', async ({ onTestFailed }) => {
    const s = await startStack(
      { onTestFailed },
      { redis: { appendonly: true, appendfsync: 'always' } },
    );
    const { result, report, ackedBeforeKill } = await crashUnderLoad(s, 'crash-always');
    console.log(
      `${describeDelivery('redis SIGKILL, appendfsync always', report)}; acknowledged before the kill ${ackedBeforeKill}; refused ${result.refused.length}`,
    );
    expect(result.hung).toEqual([]);
    expect(ackedBeforeKill).toBeGreaterThan(1000);
    expect(report.lost).toEqual([]);
  }, 60_000);

  it('loses at most ~1 s of acknowledged writes with appendfsync everysec (measured)', async ({
    onTestFailed,
  }) => {
    const s = await startStack(
      { onTestFailed },
      { redis: { appendonly: true, appendfsync: 'everysec' } },
    );
    const { result, report, ackedBeforeKill } = await crashUnderLoad(s, 'crash-everysec');
    console.log(
      `${describeDelivery('redis SIGKILL, appendfsync everysec', report)}; acknowledged before the kill ${ackedBeforeKill}; ` +
        `lost ${report.lost.length} = ${((report.lost.length / RATE) * 1000).toFixed(0)} ms of load at ${RATE}/s; refused ${result.refused.length}`,
    );
    expect(result.hung).toEqual([]);
    expect(ackedBeforeKill).toBeGreaterThan(1000);
    expect(report.lost.length).toBeLessThanOrEqual(RATE);
  }, 60_000);
});
