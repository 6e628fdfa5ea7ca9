/**
 * Graceful stops under load, as a supervisor does on every deploy: on SIGTERM
 * or SIGINT a process stops taking work, finishes or hands back the batch in
 * flight, closes its connections and exits 0, losing nothing
 * (docs/product.md#shutdown).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeDelivery } from '../support/delivery-check.js';
import { processStackPerTest } from '../support/process-stack.js';

const startStack = processStackPerTest();

describe('fault: graceful stop (SIGTERM) under load', () => {
  it('worker: exits 0 twice, stores every acknowledged entry', async ({ onTestFailed }) => {
    const s = await startStack({ onTestFailed });
    s.dewey.setReplyDelay(20); // batches in flight when the signal arrives

    const { load, run } = s.startLoad({
      connections: 4,
      rate: 800,
      durationMs: 60_000,
      prefix: 'worker-term',
    });
    const exits: Array<number | null> = [];
    for (let stop = 0; stop < 2; stop++) {
      await sleep(1000);
      exits.push((await s.worker.terminate()).code);
      await s.worker.start();
    }
    await sleep(1000);
    load.stop();
    const result = await run;

    const report = await s.stored.waitFor(result.acknowledged.keys());
    console.log(`${describeDelivery('worker SIGTERM x2', report)}; exit codes ${exits.join(', ')}`);
    expect(exits).toEqual([0, 0]);
    expect(result.hung).toEqual([]);
    expect(result.refused).toEqual([]);
    expect(report.lost).toEqual([]);
    expect((await s.queueCounts()).failed).toBe(0);
  }, 90_000);

  it('server: exits 0, stores every acknowledged entry, clients come back', async ({
    onTestFailed,
  }) => {
    const s = await startStack({ onTestFailed });

    const { load, run } = s.startLoad({
      connections: 8,
      rate: 1000,
      durationMs: 60_000,
      prefix: 'server-term',
    });
    await sleep(1500);
    const exit = await s.server.terminate();
    const unansweredAtStop = load.progress.unanswered.length;
    await s.server.start();
    await sleep(2000);
    load.stop();
    const result = await run;

    const report = await s.stored.waitFor(result.acknowledged.keys());
    console.log(
      `${describeDelivery('server SIGTERM', report)}; exit code ${exit.code}; ` +
        `calls without a reply when it closed ${unansweredAtStop} (sent as the socket closed)`,
    );
    expect(exit.code).toBe(0);
    expect(result.hung).toEqual([]);
    expect(report.lost).toEqual([]);
    const last = Array.from({ length: 500 }, (_, i) => `server-term-${result.sent - 500 + i}`);
    expect(last.filter((message) => !result.acknowledged.has(message))).toEqual([]);
  }, 90_000);
});
