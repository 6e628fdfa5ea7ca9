import { randomUUID } from 'node:crypto';
import { type DeweyEmulator, RawWsClient, toolPayload } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from '../support/stack/test-stack.js';

/** Server and two workers in this process, sharing a private Redis, storing into the emulator. */
describe('server + worker end to end', () => {
  let stack: TestStack;
  let dewey: DeweyEmulator;
  let port: number;
  let workerPorts: number[];

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'e2e' });
    dewey = stack.dewey;
    const server = await stack.startServer();
    // Distinct ids: in one process both would default to the same hostname-pid.
    const workers = await Promise.all(
      ['e2e-a', 'e2e-b'].map((workerId) => stack.startWorker({}, { workerId })),
    );
    port = server.port;
    workerPorts = workers.map((worker) => worker.port);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stores what was logged, and the server reports the sum of the workers delivery counts', async () => {
    const socket = await RawWsClient.connect(`ws://127.0.0.1:${port}/`);
    const traceId = randomUUID();
    for (let i = 0; i < 5; i += 1) {
      const reply = await socket.request('tools/call', {
        name: 'logger_log',
        arguments: {
          component: 'e2e',
          level: 'INFO',
          message: `e2e ${i}`,
          trace_id: traceId,
          data: { i },
        },
      });
      expect(toolPayload(reply)).toMatchObject({ queued: true });
    }
    const rows = await dewey.waitForRows(5);
    // Each call is a job of its own, and two workers share them: the order of
    // arrival is not promised across workers, the rows are
    // (docs/product.md#several-servers-and-workers).
    const stored = rows.map((row) => [row.message, row.trace_id, row.data]);
    expect(stored.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual(
      Array.from({ length: 5 }, (_, i) => [`e2e ${i}`, traceId, { i }]),
    );
    const queried = toolPayload(
      await socket.request('tools/call', {
        name: 'logger_query',
        arguments: { trace_id: traceId },
      }),
    );
    expect((queried as { logs: unknown[] }).logs).toHaveLength(5);
    await socket.close();

    const scrape = async (at = port) => (await fetch(`http://127.0.0.1:${at}/metrics`)).text();
    // The sum of what the two workers published (every 5 s) to Redis.
    await expect
      .poll(() => scrape(), { timeout: 15_000, interval: 250 })
      .toMatch(/^godot_queue_delivered_total 5$/m);
    const text = await scrape();
    expect(text).toMatch(/^godot_queue_batches_total\{outcome="delivered"\} [1-5]$/m);
    expect(text).toMatch(/^godot_queue_batch_duration_seconds_bucket\{le="\+Inf"\} [1-5]$/m);
    expect(text).toMatch(/^godot_queue_dead_lettered_total\{reason="rejected"\} 0$/m);
    const perWorker = await Promise.all(workerPorts.map((at) => scrape(at)));
    const delivered = perWorker.map((t) =>
      Number(/^godot_logs_delivered_total (\d+)$/m.exec(t)?.[1]),
    );
    expect(delivered.reduce((sum, count) => sum + count, 0)).toBe(5);
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', worker: { workers: 2 } });
  });
});
