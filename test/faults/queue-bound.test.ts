/**
 * The queue bound (docs/product.md#queue-bound): 150,000 entries in with
 * Dewey down → exactly the newest 100,000 reach Dewey once it is back, and
 * the server counts 50,000 drops. A job holds the entries of one server flush, so "exactly"
 * means to the entry: the oldest job left may be cut in part.
 *
 * Dewey is down from the start, and the worker does not fetch until Dewey
 * answers, so every job sits in the wait list and the bound trims strictly
 * oldest first. "Newest" is queue order: job ids are assigned in the order
 * jobs enter the wait list, and within a job entries keep their flush order.
 *
 * Speed: 150,000 calls go over 8 persistent sockets with up to 256 calls in
 * flight each, so the server group-commits hundreds of entries per Redis round
 * trip. The console line reports the measured ingest and delivery rates.
 */
import { describe, expect, it } from 'vitest';
import { metricSum, waitUntil } from '../support/http-probe.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

const TOTAL = 150_000;
const BOUND = 100_000;

describe('fault: queue bound with Dewey down', () => {
  it('keeps exactly the newest 100,000 of 150,000 and counts 50,000 dropped', async ({
    onTestFailed,
  }) => {
    const s = await startStack({ onTestFailed }, { deweyDown: true, logLevel: 'warn' });

    const result = await s.startLoad({
      connections: 8,
      maxInFlight: 256,
      rate: Number.POSITIVE_INFINITY,
      maxCalls: TOTAL,
      durationMs: 150_000,
      prefix: 'bound',
    }).run;
    const ingestSeconds = result.elapsedMs / 1000;
    expect(result.hung).toEqual([]);
    expect(result.refused.slice(0, 5)).toEqual([]);
    expect(result.acknowledged.size).toBe(TOTAL);

    // The server trims after it has answered a flush: let the last trim finish.
    let dropped = 0;
    await waitUntil(
      async () => {
        dropped = metricSum(await s.serverMetrics(), 'godot_logs_dropped_total');
        return dropped >= TOTAL - BOUND;
      },
      10_000,
      () => `godot_logs_dropped_total ${TOTAL - BOUND} (is ${dropped})`,
    );
    expect(dropped).toBe(TOTAL - BOUND);
    // /health says so too, for the log explorer's status bar.
    const health = (await (await fetch(`${s.server.origin}/health`)).json()) as { drops?: number };
    expect(health.drops).toBe(TOTAL - BOUND);
    expect(await s.queueCounts()).toMatchObject({ active: 0, failed: 0 });
    // Queue order is (job id, place in the job): a job holds the entries of
    // one or more flushes, in arrival order, and the bound keeps the newest
    // entries of the oldest job.
    const jobs = await s.waitingJobs();
    const waiting = jobs.flatMap((job) => job.entries.slice(job.entries.length - job.kept));
    expect(waiting).toHaveLength(BOUND);
    const place = new Map<string, number>();
    for (const job of jobs) {
      for (const [index, entry] of job.entries.entries()) place.set(entry.message, index);
    }

    const deliveryStarted = performance.now();
    await s.dewey.start();
    await waitUntil(
      () => s.stored.rows >= BOUND,
      120_000,
      () => `${BOUND} stored rows (have ${s.stored.rows})`,
      200,
    );
    const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
    // Nothing beyond the bound trickles in afterwards.
    await waitUntil(
      async () => {
        const counts = await s.queueCounts();
        return counts.wait + counts.delayed === 0;
      },
      10_000,
      () => 'empty queue',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Entries of jobs dropped whole have no place left: they are older than any kept job.
    const order = ([message, id]: [string, string]) => [Number(id), place.get(message) ?? -1];
    const newest = [...result.acknowledged]
      .sort((a, b) => {
        const [ja = 0, pa = 0] = order(a);
        const [jb = 0, pb = 0] = order(b);
        return jb - ja || pb - pa;
      })
      .slice(0, BOUND)
      .map(([message]) => message);
    expect(new Set(waiting.map((entry) => entry.message))).toEqual(new Set(newest));
    const stored = [...s.stored.counts.keys()];
    console.log(
      `queue bound: ${TOTAL} acknowledged in ${ingestSeconds.toFixed(1)} s (${(TOTAL / ingestSeconds).toFixed(0)}/s), ` +
        `dropped ${dropped}, ${s.stored.rows} rows delivered in ${deliverySeconds.toFixed(1)} s ` +
        `(${(s.stored.rows / deliverySeconds).toFixed(0)}/s)`,
    );
    expect(s.stored.rows).toBe(BOUND);
    expect(stored.length).toBe(BOUND);
    const kept = new Set(newest);
    expect(stored.filter((message) => !kept.has(message)).slice(0, 10)).toEqual([]);
  }, 300_000);
});
