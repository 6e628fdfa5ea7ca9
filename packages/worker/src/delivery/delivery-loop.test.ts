import { setTimeout as sleep } from 'node:timers/promises';
import { DeweyClient, DeweyProtocolError, silentLogger } from '@godot/shared';
import { DeweyEmulator } from '@godot/testkit';
import { RateLimitError } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../ops/worker-metrics.js';
import { DeliveryLoop, type DeliveryLoopOptions } from './delivery-loop.js';
import { heldJob } from './held-job.fixture.js';
import type { HeldJob } from './held-job.js';

let dewey: DeweyEmulator;
let client: DeweyClient;

beforeEach(async () => {
  dewey = await DeweyEmulator.start();
  client = new DeweyClient({
    url: dewey.url,
    callTimeoutMs: 500,
    reconnectInitialDelayMs: 50,
    reconnectMaxDelayMs: 100,
  });
});
afterEach(async () => {
  await client.close();
  await dewey.close();
});

/** A loop on `client` whose settlements and fetching switches are recorded. */
function startLoop(over: Partial<DeliveryLoopOptions> = {}) {
  const stop = new AbortController();
  const metrics = createWorkerMetrics();
  const settled: Array<{ jobs: Array<string | undefined>; rejected: Map<number, string> }> = [];
  const fetching = { paused: 0, resumed: 0 };
  const loop = new DeliveryLoop({
    dewey: client,
    metrics,
    logger: silentLogger,
    settle: async (batch: readonly HeldJob[], rejected) => {
      settled.push({ jobs: batch.map((job) => job.jobId), rejected: new Map(rejected) });
      for (const job of batch) job.resolve();
    },
    pauseFetching: async () => {
      fetching.paused += 1;
    },
    resumeFetching: () => {
      fetching.resumed += 1;
    },
    signal: stop.signal,
    retryInitialDelayMs: 20,
    retryMaxDelayMs: 100,
    ...over,
  });
  return { loop, stop, metrics, settled, fetching };
}

const total = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
  (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);

describe('DeliveryLoop', () => {
  it('delivers batches one at a time, in order, and settles each', async () => {
    const { loop, settled, metrics } = startLoop();
    dewey.hold();
    loop.push([heldJob('1', ['a', 'b'])]);
    loop.push([heldJob('2', ['c']), heldJob('3', ['d', 'e'])]);
    await dewey.waitForHeld(1);
    await sleep(100);
    // The second batch waits for the first: one Dewey call at a time.
    expect(dewey.calls.store).toBe(1);
    dewey.release();
    await loop.drained();
    expect(dewey.calls.storeBatchSizes).toEqual([2, 3]);
    expect(dewey.stored().map((row) => row.message)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(settled).toEqual([
      { jobs: ['1'], rejected: new Map() },
      { jobs: ['2', '3'], rejected: new Map() },
    ]);
    expect((await metrics.batchSize.get()).values).toContainEqual(
      expect.objectContaining({ metricName: 'godot_batch_size_count', value: 2 }),
    );
  });

  it('starts again for a batch pushed after the others were delivered', async () => {
    const { loop, settled } = startLoop();
    loop.push([heldJob('1', ['a'])]);
    await loop.drained();
    loop.push([heldJob('2', ['b'])]);
    await loop.drained();
    expect(settled.map((batch) => batch.jobs)).toEqual([['1'], ['2']]);
  });

  it('holds the batch while Dewey is away, fetching paused, and waits for the connection', async () => {
    const { loop, settled, fetching, metrics } = startLoop();
    await dewey.stop();
    loop.push([heldJob('1', ['a'])]);
    await sleep(400);
    expect(settled).toEqual([]);
    expect(fetching).toEqual({ paused: 1, resumed: 0 });
    expect(await total(metrics.retries)).toBeGreaterThanOrEqual(1);
    await dewey.start();
    await loop.drained();
    expect(settled).toEqual([{ jobs: ['1'], rejected: new Map() }]);
    expect(fetching).toEqual({ paused: 1, resumed: 1 });
    // Each failed try is counted once, as "unavailable".
    expect((await metrics.batches.get()).values).toContainEqual({
      labels: { outcome: 'unavailable' },
      value: await total(metrics.retries),
    });
  });

  it('retries a batch Dewey refused entirely before blaming its entries', async () => {
    const { loop, settled } = startLoop({ wholeBatchRejectionRetries: 1 });
    // The whole batch, then each half alone: every entry refused once.
    dewey.rejectNext(3);
    loop.push([heldJob('1', ['a', 'b'])]);
    await loop.drained();
    expect(dewey.calls.store).toBe(4);
    expect(settled).toEqual([{ jobs: ['1'], rejected: new Map() }]);
  });

  it('settles a batch refused entirely as refused once its retries are spent', async () => {
    const { loop, settled } = startLoop({ wholeBatchRejectionRetries: 1 });
    dewey.rejectNext(6, { message: 'Internal error: database is down' });
    loop.push([heldJob('1', ['a']), heldJob('2', ['b'])]);
    await loop.drained();
    expect(dewey.calls.store).toBe(6);
    expect(settled).toEqual([
      {
        jobs: ['1', '2'],
        rejected: new Map([
          [0, 'Internal error: database is down'],
          [1, 'Internal error: database is down'],
        ]),
      },
    ]);
  });

  it('backs off (backoffDelay) after a reply outside the contract, without waiting for the connection', async () => {
    const calls: number[] = [];
    let waits = 0;
    const store = {
      async storeLogsBatch() {
        calls.push(performance.now());
        if (calls.length <= 2) throw new DeweyProtocolError('reply is not JSON');
        return { stored: 1 };
      },
      async waitUntilUp() {
        waits += 1;
      },
    };
    const { loop, settled, fetching } = startLoop({
      dewey: store as unknown as DeliveryLoopOptions['dewey'],
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 1000,
    });
    loop.push([heldJob('1', ['a'])]);
    await loop.drained();
    expect(settled).toEqual([{ jobs: ['1'], rejected: new Map() }]);
    expect(waits).toBe(0);
    expect(fetching).toEqual({ paused: 1, resumed: 1 });
    const [first = 0, second = 0, third = 0] = calls;
    // Equal jitter: the first wait is 50–100 ms, the second 100–200 ms.
    expect(second - first).toBeGreaterThanOrEqual(45);
    expect(third - second).toBeGreaterThanOrEqual(95);
  });

  it('stopping, hands back the batch Dewey did not take and, untried, those behind it', async () => {
    const { loop, stop, metrics, settled } = startLoop();
    dewey.hold();
    const first = [heldJob('1', ['a', 'b'])];
    const behind = [heldJob('2', ['c'])];
    loop.push(first);
    loop.push(behind);
    await dewey.waitForHeld(1);
    stop.abort();
    // The held call times out (callTimeoutMs), then nothing else is tried.
    await loop.drained();
    for (const job of [...first, ...behind]) {
      expect(await job.outcome).toBeInstanceOf(RateLimitError);
    }
    expect(settled).toEqual([]);
    expect(dewey.calls.store).toBe(1);
    expect(await total(metrics.returned)).toBe(3);
    dewey.release();
  });

  it('stopping while it waits for Dewey, hands the batch back at once', async () => {
    const { loop, stop, fetching } = startLoop();
    await dewey.stop();
    const batch = [heldJob('1', ['a'])];
    loop.push(batch);
    await expect.poll(() => fetching.paused).toBe(1);
    const started = performance.now();
    stop.abort();
    await loop.drained();
    expect(performance.now() - started).toBeLessThan(200);
    expect(await batch[0]?.outcome).toBeInstanceOf(RateLimitError);
    expect(fetching.resumed).toBe(0);
  });
});
